// The RocksDB keys of room_store (the layout is documented in room_store.hpp). Internal to the
// storage layer and its tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rooms::store_keys {

inline constexpr std::string_view format_key = "meta/format";
inline constexpr std::string_view format_value = "rooms-store-1";
inline constexpr std::string_view room_count_key = "meta/room_count";
/// Present once every stored room has its index keys: from the start in stores made with the
/// index, after a one-time pass in stores made before it (room_store::index_complete).
inline constexpr std::string_view index_marker_key = "meta/index";

/// "r/": the prefix of every image key, and "r0", the first key after all of them.
inline constexpr std::string_view images_begin = "r/";
inline constexpr std::string_view images_end = "r0";

/// 8 bytes big-endian, so byte order is numeric order.
std::string encode_u64(std::uint64_t value);
/// The value of an 8-byte big-endian string, nullopt for any other length.
std::optional<std::uint64_t> decode_u64(std::string_view bytes);

/// "r/<room>".
std::string image_key(std::string_view room);
/// "e/<room>/<version>", the version 8 bytes big-endian.
std::string event_key(std::string_view room, std::uint64_t version);
/// "e/<room>/": the first key any event of the room can have.
std::string events_begin(std::string_view room);
/// "e/<room>0": the first key after every event of the room ('0' follows '/').
std::string events_end(std::string_view room);
/// The version in an event key of `room`, nullopt if `key` is not one.
std::optional<std::uint64_t> event_version(std::string_view key, std::string_view room);

}  // namespace rooms::store_keys
