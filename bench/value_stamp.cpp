// value_stamp: fixed-width hex, so a value's size never depends on the time.
#include "bench/value_stamp.hpp"

#include <algorithm>
#include <charconv>

namespace rooms::bench {

std::string stamped_value(std::uint32_t micros, std::size_t bytes) {
  std::string value(std::max(bytes, stamp_chars), 'v');
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < stamp_chars; ++i)
    value[stamp_chars - 1 - i] = digits[(micros >> (4 * i)) & 0xf];
  return value;
}

std::optional<std::uint32_t> read_stamp(std::string_view value) {
  if (value.size() < stamp_chars) return std::nullopt;
  std::uint32_t micros = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + stamp_chars, micros, 16);
  if (ec != std::errc{} || end != value.data() + stamp_chars) return std::nullopt;
  return micros;
}

}  // namespace rooms::bench
