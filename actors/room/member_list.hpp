// member_list: a room's members in join order (what snapshots show, docs/protocol.md) with
// a membership test that stays fast for big rooms and costs nothing extra for small ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rooms {

/// Most rooms have a handful of members: up to `index_threshold` of them a lookup scans the
/// join-order list, and no index exists. Past it, a sorted index (positions into that list,
/// ordered by name) makes lookups O(log n); it is dropped again once the room shrinks to half
/// the threshold. Join order is never changed by the index.
class member_list {
 public:
  static constexpr std::size_t index_threshold = 16;

  member_list() = default;
  /// `in_join_order` must hold no duplicates (a stored room's members).
  explicit member_list(std::vector<std::string> in_join_order);

  bool contains(std::string_view user) const;
  /// Appends `user` unless it is already a member; true if it was added.
  bool add(const std::string& user);
  /// Removes `user` if it is a member; true if it was removed.
  bool remove(std::string_view user);

  const std::vector<std::string>& in_join_order() const { return members_; }
  std::size_t size() const { return members_.size(); }
  /// Whether lookups use the sorted index (for tests).
  bool indexed() const { return !by_name_.empty(); }

 private:
  /// Where `user` is or would be in by_name_ (only while indexed).
  std::vector<std::uint32_t>::const_iterator lower_bound(std::string_view user) const;
  bool found_at(std::vector<std::uint32_t>::const_iterator it, std::string_view user) const;
  void build_index();

  std::vector<std::string> members_;
  /// Positions into members_, sorted by name; empty while the room is small.
  std::vector<std::uint32_t> by_name_;
};

}  // namespace rooms
