// room_catalog: the rooms a workload uses, by index, and the way back from a name on the wire
// (a Rooms id, or a Redis channel) to the index.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rooms::bench {

class room_catalog {
 public:
  room_catalog() = default;
  explicit room_catalog(std::vector<std::string> names);
  // The index holds views into names_: a copy would point into the original.
  room_catalog(const room_catalog&) = delete;
  room_catalog& operator=(const room_catalog&) = delete;
  room_catalog(room_catalog&&) = default;
  room_catalog& operator=(room_catalog&&) = default;

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t index) const { return names_[index]; }
  /// The index of `name`, or `npos`.
  std::size_t find(std::string_view name) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

}  // namespace rooms::bench
