// MessagePack for value, the document node (value.hpp; docs/protocol.md, "Room data").
// Decoding keeps the types: positive integers become unsigned_integer, negative ones integer,
// float32 and float64 floating; a non-str map key and any ext type are invalid_argument.
// Encoding uses the smallest integer encodings, always float64 for floats, and map members in
// key order. The walks recurse, one level per container: decoding limits the depth.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "protocol/result.hpp"
#include "protocol/value.hpp"

namespace rooms {

/// Converts a decoded MessagePack object. Nesting deeper than `max_depth` containers (the
/// outermost counts as 1) is invalid_argument, found without recursing past the limit; a key
/// repeated in one map keeps its last value. `frame_levels` of the allowance belong to the
/// message around the data: the error names the data's own limit, `max_depth - frame_levels`.
result<value> to_value(const msgpack::object& object, std::size_t max_depth,
                       std::size_t frame_levels = 0);

/// The document encoded in `bytes` (one complete MessagePack value and nothing after it).
result<value> value_from_msgpack_bytes(std::string_view bytes, std::size_t max_depth);

/// Appends the encoding of `v` to `out`.
void append_msgpack(std::string& out, const value& v);

/// The encoding of `v` as a new string.
std::string to_msgpack_bytes(const value& v);

/// Appends the encoding of the string `text`.
void append_msgpack_string(std::string& out, std::string_view text);

/// Appends the header of an array of `count` elements.
void append_msgpack_array_header(std::string& out, std::size_t count);

/// Appends `packed_map` (the encoding of a map) with one more member after its others: the
/// string `key`, then `packed_value` (an encoded value).
void append_with_member(std::string& out, std::string_view packed_map, std::string_view key,
                        std::string_view packed_value);

/// Exactly append_msgpack(out, v)'s growth of `out`, computed without encoding.
std::size_t packed_size(const value& v);

/// 0 for a scalar, 1 + the deepest child for an array or map.
std::size_t nesting_depth(const value& v);

}  // namespace rooms
