// value_stamp: the edited value carries its send time, so a subscriber can measure edit-sent to
// event-received without asking the editor. Same encoding for Rooms and Redis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rooms::bench {

/// Characters of the stamp at the front of a value: 8 hex digits of microseconds.
constexpr std::size_t stamp_chars = 8;

/// A value of `bytes` characters (at least `stamp_chars`) that starts with `micros`.
std::string stamped_value(std::uint32_t micros, std::size_t bytes);

/// The stamp at the front of `value`, if it has one.
std::optional<std::uint32_t> read_stamp(std::string_view value);

}  // namespace rooms::bench
