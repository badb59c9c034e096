// The byte format of stored room images and event records (issue 4; specified below):
// MessagePack maps with short named fields and a format number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "actors/storage/room_image.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// The format number every record carries in its "fmt" field. A decoder reads its own format and
/// ignores fields it does not know, so adding a field needs no new number; changing the meaning
/// of one does, and then old builds refuse the newer records instead of misreading them.
inline constexpr std::uint64_t room_codec_format = 1;

/// Deepest nesting of maps and arrays in a document (room data, an event) that decodes. Larger
/// than any sane `limits::max_depth`, which the node keeps below this so what it stores reads back.
inline constexpr std::size_t max_stored_depth = 512;

// room_image:   {"fmt": 1, "id": str, "own": str, "mem": [str], "data": any, "ver": uint,
//                "keys": [{"key": str, "fp": uint, "ver": uint}]}
// event_record: {"fmt": 1, "ev": map with a uint "version", "fp": uint, "key": str (absent when
//                the edit had no key)}
// Documents ("data", "ev") use msgpack_json's lossless mapping (protocol/msgpack_json.hpp).

/// The bytes of `image`.
std::string encode_room_image(const room_image& image);

/// The bytes of `record`. Precondition: record.event is a map with an unsigned "version".
std::string encode_event_record(const event_record& record);

/// The bytes of `summary`: {"fmt": 1, "own": str, "ver": uint, "mem": uint (the member count),
/// "meta": map, "exp": {"idle_ms"?, "empty_ms"?}, "clk": [changed_at, emptied_at or nil,
/// presence_at], "at": uint or nil}. Images carry "exp" (when set) and "clk" too.
std::string encode_room_summary(const room_summary& summary);
result<room_summary> decode_room_summary(std::string_view bytes);

/// The image held by `bytes`, or `internal` with a message saying what is wrong (not MessagePack,
/// trailing bytes, a missing or mistyped field, an unknown format number). Never throws.
result<room_image> decode_room_image(std::string_view bytes);

/// The record held by `bytes`; errors as for decode_room_image. A decoded record's event is a
/// map with an unsigned "version", so event_record::version() cannot throw on it.
result<event_record> decode_event_record(std::string_view bytes);

}  // namespace rooms
