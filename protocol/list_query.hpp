// `list` (docs/protocol.md, section 12): its arguments, checked, and what a room must be to
// match. The index that finds the rooms lives in storage (actors/storage/room_index.hpp); this
// is the protocol's part only: shapes, and the exact meaning of each condition.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocol/result.hpp"
#include "protocol/value.hpp"

namespace rooms {

/// The key that stands for a room's member count in conditions.
inline constexpr std::string_view members_key = "$members";

struct list_condition {
  enum kind_type { eq, prefix, range, exists } kind = eq;
  /// A meta key, or members_key.
  std::string key;
  /// eq: a string, integer, float or boolean.
  value equals = {};
  /// prefix.
  std::string starts_with = {};
  /// range: numbers, at least one set.
  std::optional<value> gte = std::nullopt;
  std::optional<value> lte = std::nullopt;
  /// exists.
  bool present = true;

  /// Whether `v` (the room's value of `key`, null when it has none) satisfies the condition.
  bool holds(const value* v) const;
};

struct list_query {
  std::vector<list_condition> where;
  std::size_t limit = 100;
  /// Continue after this room id ("" from the start).
  std::string after;

  static constexpr std::size_t max_limit = 1000;

  /// Whether a room with this metadata and member count matches every condition.
  bool matches(const value& meta, std::uint64_t members) const;
};

/// Reads the arguments of `list` (`where`, `limit`, `after`; the method's named arguments are
/// checked by the command parser). invalid_argument names what is wrong: a condition of unknown
/// shape, a limit outside 1..1000, an `after` that is not a room id.
result<list_query> read_list_query(const value_map& args);

/// The arguments `query` came from, for a call forwarded to another node.
value list_query_params(const list_query& query);

/// -1, 0 or 1 as the numbers a and b compare by value (an integer and a float exactly, never
/// through a rounded double); nullopt when either is NaN.
std::optional<int> compare_numbers(const value& a, const value& b);

}  // namespace rooms
