// MessagePack <-> value (see value_msgpack.hpp).
#include "protocol/value_msgpack.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "protocol/msgpack_json.hpp"

namespace rooms {

namespace {

rooms_error invalid(std::string message) {
  return rooms_error{error_code::invalid_argument, std::move(message)};
}

class converter {
 public:
  converter(std::size_t max_depth, std::size_t frame_levels)
      : max_depth_(max_depth), frame_levels_(frame_levels) {}

  result<value> convert(const msgpack::object& object, std::size_t depth) const {
    switch (object.type) {
      case msgpack::type::NIL:
        return value{};
      case msgpack::type::BOOLEAN:
        return value::boolean(object.via.boolean);
      case msgpack::type::POSITIVE_INTEGER:
        return value::unsigned_integer(object.via.u64);
      case msgpack::type::NEGATIVE_INTEGER:
        return value::integer(object.via.i64);
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64:
        return value::floating(object.via.f64);
      case msgpack::type::STR:
        return value::string({object.via.str.ptr, object.via.str.size});
      case msgpack::type::BIN:
        return value::binary({object.via.bin.ptr, object.via.bin.size});
      case msgpack::type::EXT:
        return invalid(fmt::format("extension types are not allowed in values (found ext type {})",
                                   object.via.ext.type()));
      case msgpack::type::ARRAY:
      case msgpack::type::MAP:
        break;
    }
    if (depth >= max_depth_)
      return invalid(fmt::format("a value nests maps and arrays deeper than the limit of {} levels",
                                 max_depth_ - frame_levels_));
    if (object.type == msgpack::type::ARRAY) return convert_array(object.via.array, depth + 1);
    return convert_map(object.via.map, depth + 1);
  }

 private:
  result<value> convert_array(const msgpack::object_array& array, std::size_t depth) const {
    value_array elements;
    elements.reserve(array.size);
    for (std::uint32_t i = 0; i < array.size; ++i) {
      auto element = convert(array.ptr[i], depth);
      if (!element) return element.error();
      elements.push_back(std::move(*element));
    }
    return value::array(std::move(elements));
  }

  // A repeated key keeps its last value.
  result<value> convert_map(const msgpack::object_map& map, std::size_t depth) const {
    std::vector<value_member> members;
    members.reserve(map.size);
    for (std::uint32_t i = 0; i < map.size; ++i) {
      const msgpack::object_kv& kv = map.ptr[i];
      if (kv.key.type != msgpack::type::STR)
        return invalid(fmt::format("map keys must be strings; found {} key",
                                   msgpack_type_phrase(kv.key.type)));
      auto member = convert(kv.val, depth);
      if (!member) return member.error();
      members.push_back(
          {value::string({kv.key.via.str.ptr, kv.key.via.str.size}), std::move(*member)});
    }
    return value::map(value_map::from_unsorted(std::move(members)));
  }

  std::size_t max_depth_;
  std::size_t frame_levels_;
};

// --- encoding --------------------------------------------------------------------------------

void put_be(std::string& out, std::uint8_t tag, std::uint64_t bits, int bytes) {
  char buffer[9];
  buffer[0] = static_cast<char>(tag);
  for (int i = 0; i < bytes; ++i) buffer[1 + i] = static_cast<char>(bits >> (8 * (bytes - 1 - i)));
  out.append(buffer, static_cast<std::size_t>(bytes) + 1);
}

void put_uint(std::string& out, std::uint64_t u) {
  if (u < 128)
    out.push_back(static_cast<char>(u));
  else if (u < 256)
    put_be(out, 0xcc, u, 1);
  else if (u < 65536)
    put_be(out, 0xcd, u, 2);
  else if (u < (std::uint64_t{1} << 32))
    put_be(out, 0xce, u, 4);
  else
    put_be(out, 0xcf, u, 8);
}

void put_int(std::string& out, std::int64_t i) {
  if (i >= 0) return put_uint(out, static_cast<std::uint64_t>(i));
  const auto bits = static_cast<std::uint64_t>(i);
  if (i >= -32)
    out.push_back(static_cast<char>(i));
  else if (i >= -128)
    put_be(out, 0xd0, bits, 1);
  else if (i >= -32768)
    put_be(out, 0xd1, bits, 2);
  else if (i >= -(std::int64_t{1} << 31))
    put_be(out, 0xd2, bits, 4);
  else
    put_be(out, 0xd3, bits, 8);
}

void put_str_header(std::string& out, std::size_t n) {
  if (n < 32)
    out.push_back(static_cast<char>(0xa0 | n));
  else if (n < 256)
    put_be(out, 0xd9, n, 1);
  else if (n < 65536)
    put_be(out, 0xda, n, 2);
  else
    put_be(out, 0xdb, n, 4);
}

void put_bin_header(std::string& out, std::size_t n) {
  if (n < 256)
    put_be(out, 0xc4, n, 1);
  else if (n < 65536)
    put_be(out, 0xc5, n, 2);
  else
    put_be(out, 0xc6, n, 4);
}

void put_container_header(std::string& out, bool is_map, std::size_t n) {
  if (n < 16)
    out.push_back(static_cast<char>((is_map ? 0x80 : 0x90) | n));
  else if (n < 65536)
    put_be(out, is_map ? 0xde : 0xdc, n, 2);
  else
    put_be(out, is_map ? 0xdf : 0xdd, n, 4);
}

void encode(std::string& out, const value& v) {
  switch (v.kind()) {
    case value_kind::nil:
      out.push_back(static_cast<char>(0xc0));
      return;
    case value_kind::boolean:
      out.push_back(static_cast<char>(v.as_bool() ? 0xc3 : 0xc2));
      return;
    case value_kind::integer:
      put_int(out, v.as_int());
      return;
    case value_kind::unsigned_integer:
      put_uint(out, v.as_uint());
      return;
    case value_kind::floating:
      put_be(out, 0xcb, std::bit_cast<std::uint64_t>(v.as_double()), 8);
      return;
    case value_kind::string:
      put_str_header(out, v.as_bytes().size());
      out.append(v.as_bytes());
      return;
    case value_kind::binary:
      put_bin_header(out, v.as_bytes().size());
      out.append(v.as_bytes());
      return;
    case value_kind::array:
      put_container_header(out, false, v.size());
      for (const auto& element : v.as_array()) encode(out, element);
      return;
    case value_kind::map:
      put_container_header(out, true, v.size());
      for (const auto& [key, member] : v.as_map()) {
        put_str_header(out, key.as_bytes().size());
        out.append(key.as_bytes());
        encode(out, member);
      }
      return;
  }
}

}  // namespace

result<value> to_value(const msgpack::object& object, std::size_t max_depth,
                       std::size_t frame_levels) {
  return converter(max_depth, std::min(frame_levels, max_depth)).convert(object, 0);
}

result<value> value_from_msgpack_bytes(std::string_view bytes, std::size_t max_depth) {
  msgpack::object_handle handle;
  std::size_t offset = 0;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset);
  } catch (const std::exception& e) {
    return invalid(std::string{"not MessagePack: "} + e.what());
  }
  if (offset != bytes.size())
    return invalid(fmt::format("{} bytes after the MessagePack value", bytes.size() - offset));
  return to_value(handle.get(), max_depth);
}

void append_msgpack(std::string& out, const value& v) { encode(out, v); }

std::string to_msgpack_bytes(const value& v) {
  std::string out;
  out.reserve(packed_size(v));
  encode(out, v);
  return out;
}

void append_msgpack_string(std::string& out, std::string_view text) {
  put_str_header(out, text.size());
  out.append(text);
}

void append_msgpack_array_header(std::string& out, std::size_t count) {
  put_container_header(out, false, count);
}

void append_with_member(std::string& out, std::string_view packed_map, std::string_view key,
                        std::string_view packed_value) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(packed_map[i]); };
  std::size_t count = 0;
  std::size_t header = 1;
  if ((byte(0) & 0xf0) == 0x80) {
    count = byte(0) & 0x0f;
  } else if (byte(0) == 0xde) {
    count = (std::size_t{byte(1)} << 8) | byte(2);
    header = 3;
  } else {
    count = (std::size_t{byte(1)} << 24) | (std::size_t{byte(2)} << 16) |
            (std::size_t{byte(3)} << 8) | byte(4);
    header = 5;
  }
  out.reserve(out.size() + packed_map.size() + key.size() + packed_value.size() + 10);
  put_container_header(out, true, count + 1);
  out.append(packed_map.substr(header));
  append_msgpack_string(out, key);
  out.append(packed_value);
}

std::size_t packed_size(const value& v) {
  switch (v.kind()) {
    case value_kind::nil:
    case value_kind::boolean:
      return 1;
    case value_kind::integer:
      return packed_int_size(v.as_int());
    case value_kind::unsigned_integer:
      return packed_uint_size(v.as_uint());
    case value_kind::floating:
      return 9;
    case value_kind::string:
      return packed_str_header_size(v.as_bytes().size()) + v.as_bytes().size();
    case value_kind::binary:
      return packed_bin_header_size(v.as_bytes().size()) + v.as_bytes().size();
    case value_kind::array: {
      std::size_t total = packed_container_header_size(v.size());
      for (const auto& element : v.as_array()) total += packed_size(element);
      return total;
    }
    case value_kind::map: {
      std::size_t total = packed_container_header_size(v.size());
      for (const auto& [key, member] : v.as_map())
        total += packed_str_header_size(key.as_bytes().size()) + key.as_bytes().size() +
                 packed_size(member);
      return total;
    }
  }
  return 1;
}

std::size_t nesting_depth(const value& v) {
  std::size_t deepest = 0;
  if (const auto* elements = v.if_array())
    for (const auto& element : *elements) deepest = std::max(deepest, nesting_depth(element));
  else if (const auto* members = v.if_map())
    for (const auto& member : *members) deepest = std::max(deepest, nesting_depth(member.val));
  else
    return 0;
  return deepest + 1;
}

}  // namespace rooms
