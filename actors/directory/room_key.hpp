// room_key: a room id (room_id.hpp, a canonical 36-character UUID) as its 16 bytes, the form the
// directory indexes rooms by: inline in a map node instead of a heap-allocated string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rooms {

struct room_key {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  /// The key of a canonical room id; std::nullopt for any other text (no room has such an id).
  static std::optional<room_key> of(std::string_view id);

  friend bool operator==(const room_key&, const room_key&) = default;
};

struct room_key_hash {
  /// Room ids are random, so their bits already are a good hash.
  std::size_t operator()(const room_key& key) const { return key.high ^ key.low; }
};

}  // namespace rooms
