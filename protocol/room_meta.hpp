// A room's metadata (docs/protocol.md, section 12): a flat map that backends set with `create`
// and `set_meta` and that `list` will find rooms by. The rules of its shape and size, and the
// merge of `set_meta`. Plain values, no room logic.
#pragma once

#include <cstddef>
#include <optional>

#include "protocol/result.hpp"
#include "protocol/value.hpp"

namespace rooms {

struct meta_limits {
  static constexpr std::size_t entries = 32;
  static constexpr std::size_t key_bytes = 64;
  static constexpr std::size_t string_bytes = 256;
  /// The whole map's MessagePack size.
  static constexpr std::size_t bytes = 4096;
};

/// Checks `meta`, the `meta` argument of `create` (`nil_removes` false) or of `set_meta` (true:
/// a nil value removes that key). invalid_argument for a wrong shape (not a map, an empty key,
/// a value that is not a string, integer, float or boolean), too_large for a size past a limit
/// (a key over 64 bytes, a string over 256, more than 32 entries, more than 4 KiB in all).
std::optional<rooms_error> check_meta(const value& meta, bool nil_removes);

/// The map `current` becomes when `changes` (checked by check_meta with nil_removes) is merged
/// into it: each key set, a nil one removed. too_large when the result passes the limits.
result<value> merge_meta(const value& current, const value& changes);

}  // namespace rooms
