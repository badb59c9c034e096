// Lossless conversion between MessagePack (msgpack-c objects and bytes) and nlohmann::json, for
// what still speaks JSON trees: the CLI and client, the storage codec's record fields, tests.
// The node's own documents (room data, ops, arguments, events, replies) are values
// (value_msgpack.hpp); the MessagePack sizes below serve both (docs/protocol.md).
//
// Type mapping, both ways: nil <-> null, bool <-> boolean, positive integer <-> number_unsigned,
// negative integer <-> number_integer, float32/float64 <-> number_float (always written back as
// float64), str <-> string, bin <-> binary, array <-> array, map with str keys <-> object.
// A map key that is not a str, and any ext type, is `invalid_argument`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "protocol/result.hpp"

namespace rooms {

using json = nlohmann::json;

/// Converts a decoded MessagePack object to a document. Nesting deeper than `max_depth`
/// containers (arrays and maps; the outermost container counts as 1) is `invalid_argument`,
/// detected without recursing past the limit. A key repeated in one map keeps its last value.
/// `frame_levels` of the allowance belong to a message's frame around the data (the params map,
/// an op): the error names the data's own limit, `max_depth - frame_levels`.
result<json> to_json(const msgpack::object& object, std::size_t max_depth,
                     std::size_t frame_levels = 0);

/// A MessagePack type with its article, for messages: "an integer", "a str", "an ext", ...
std::string_view msgpack_type_phrase(msgpack::type::object_type type);

/// Appends the MessagePack encoding of `value` to `out`. Integers use the smallest encoding,
/// floats are always float64 (even integral ones, which msgpack-c 4.1's pack_double would turn
/// into integers). Map members come in key order.
void append_msgpack(std::string& out, const json& value);

/// The MessagePack encoding of `value` as a new string.
std::string to_msgpack_bytes(const json& value);

/// The document encoded in `bytes` (one complete MessagePack value, nothing after it), as
/// to_json() converts it. Bytes that are not that are `invalid_argument`.
result<json> from_msgpack_bytes(std::string_view bytes, std::size_t max_depth);

/// Exactly append_msgpack(out, value)'s growth of `out`, computed without encoding.
std::size_t packed_size(const json& value);

/// The encoded size of an integer in its smallest MessagePack form.
std::size_t packed_int_size(std::int64_t value);
std::size_t packed_uint_size(std::uint64_t value);

/// The MessagePack header size of a bin of `length` bytes.
std::size_t packed_bin_header_size(std::size_t length);

/// The MessagePack header size of a str of `length` bytes (used by incremental size tracking).
std::size_t packed_str_header_size(std::size_t length);

/// The MessagePack header size of an array or map with `count` elements.
std::size_t packed_container_header_size(std::size_t count);

/// Nesting depth of `value`: 0 for a scalar, 1 + the deepest child for an array or map.
std::size_t nesting_depth(const json& value);

}  // namespace rooms
