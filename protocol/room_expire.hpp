// A room's expiry policy (docs/protocol.md, section 11): `idle_ms` deletes a room whose version
// has not moved, and that has held no presence entry, for that long; `empty_ms` one that has had
// no members for that long. The rules of the arguments; the clocks live with the room.
#pragma once

#include <cstdint>
#include <optional>

#include "protocol/result.hpp"
#include "protocol/value.hpp"

namespace rooms {

inline constexpr std::uint64_t min_expire_ms = 1000;
/// A year.
inline constexpr std::uint64_t max_expire_ms = 31'536'000'000;

struct expire_policy {
  std::optional<std::uint64_t> idle_ms;
  std::optional<std::uint64_t> empty_ms;

  bool empty() const { return !idle_ms && !empty_ms; }
  /// {"idle_ms"?, "empty_ms"?}: the policies that are set.
  value to_value() const;
  friend bool operator==(const expire_policy& a, const expire_policy& b) {
    return a.idle_ms == b.idle_ms && a.empty_ms == b.empty_ms;
  }
};

/// What an `expire` call says of one policy: absent (unchanged), nil (cleared), or a duration.
using expire_setting = std::optional<std::optional<std::uint64_t>>;

/// The system clock in Unix milliseconds: the clock expiry deadlines (`at_ms`) are read on.
std::uint64_t wall_clock_ms();

/// The policy after `idle` and `empty` are applied to `current`.
expire_policy apply_expire(expire_policy current, const expire_setting& idle,
                           const expire_setting& empty);

/// Reads one policy argument named `name` of a map of arguments: absent, nil, or an integer
/// (or a float with an integral value) from 1000 to 31,536,000,000; anything else is
/// invalid_argument naming it.
result<expire_setting> read_expire_setting(const value_map& args, const char* name);

/// The `expire` argument of `create`: a map with `idle_ms` and `empty_ms`, each optional (nil
/// means not set); any other member is invalid_argument.
result<expire_policy> read_expire_policy(const value& arg);

}  // namespace rooms
