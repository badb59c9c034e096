// Parsing a canonical room id into its 16 bytes.
#include "actors/directory/room_key.hpp"

#include "protocol/room_id.hpp"

namespace rooms {

namespace {

std::uint64_t hex_value(char c) {
  return c <= '9' ? static_cast<std::uint64_t>(c - '0') : static_cast<std::uint64_t>(c - 'a' + 10);
}

}  // namespace

std::optional<room_key> room_key::of(std::string_view id) {
  if (!is_room_id(id)) return std::nullopt;
  room_key key;
  int digits = 0;
  for (char c : id) {
    if (c == '-') continue;
    std::uint64_t& half = digits < 16 ? key.high : key.low;
    half = (half << 4) | hex_value(c);
    ++digits;
  }
  return key;
}

}  // namespace rooms
