// MessagePack <-> nlohmann::json (docs/protocol.md; the type mapping is in msgpack_json.hpp).
// Decoding goes through value (value_msgpack.cpp), so both trees follow one set of rules.
// Encoding and sizing walk with an explicit stack, so no document depth can exhaust the call
// stack.
#include "protocol/msgpack_json.hpp"
#include "protocol/string_sink.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace rooms {

namespace {

// --- encoding --------------------------------------------------------------------------------

using string_packer = msgpack::packer<string_sink>;

// msgpack-c 4.1's pack_double writes an integral double (2.0) as an integer, which would turn a
// stored float into an integer; room data keeps its types, so floats are written here, always as
// float64 (0xcb and the IEEE 754 bits, big-endian).
void write_float64(string_sink& sink, double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  char bytes[9];
  bytes[0] = static_cast<char>(0xcb);
  for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  sink.write(bytes, sizeof bytes);
}

// Writes a scalar, or the header of an array or map (its children follow).
void write_head(string_packer& packer, string_sink& sink, const json& value) {
  switch (value.type()) {
    case json::value_t::boolean:
      value.get<bool>() ? packer.pack_true() : packer.pack_false();
      return;
    case json::value_t::number_integer:
      packer.pack_int64(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      packer.pack_uint64(value.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      write_float64(sink, value.get<double>());
      return;
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      packer.pack_str(static_cast<std::uint32_t>(text.size()));
      packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
      return;
    }
    case json::value_t::binary: {
      const auto& bytes = value.get_binary();
      packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
      packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                           static_cast<std::uint32_t>(bytes.size()));
      return;
    }
    case json::value_t::array:
      packer.pack_array(static_cast<std::uint32_t>(value.size()));
      return;
    case json::value_t::object:
      packer.pack_map(static_cast<std::uint32_t>(value.size()));
      return;
    case json::value_t::null:
    case json::value_t::discarded:
      packer.pack_nil();
      return;
  }
}

// What write_head writes for `value`.
std::size_t head_size(const json& value) {
  switch (value.type()) {
    case json::value_t::number_integer:
      return packed_int_size(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return packed_uint_size(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return 9;
    case json::value_t::string: {
      const std::size_t length = value.get_ref<const std::string&>().size();
      return packed_str_header_size(length) + length;
    }
    case json::value_t::binary: {
      const std::size_t length = value.get_binary().size();
      return packed_bin_header_size(length) + length;
    }
    case json::value_t::array:
    case json::value_t::object:
      return packed_container_header_size(value.size());
    case json::value_t::null:
    case json::value_t::boolean:
    case json::value_t::discarded:
      return 1;
  }
  return 1;
}

// Pre-order walk of `root` with a stack of iterators (memory grows with depth, not width):
// calls visit(value, key, depth) for every value, key being nullptr outside maps and depth the
// number of containers around the value.
template <class Visit>
void walk(const json& root, Visit&& visit) {
  struct frame {
    json::const_iterator next;
    json::const_iterator end;
    bool in_map;
  };
  std::vector<frame> stack;
  const auto enter = [&](const json& value, const std::string* key) {
    visit(value, key, stack.size());
    if (value.is_structured() && !value.empty())
      stack.push_back({value.cbegin(), value.cend(), value.is_object()});
  };
  enter(root, nullptr);
  while (!stack.empty()) {
    frame& top = stack.back();
    if (top.next == top.end) {
      stack.pop_back();
      continue;
    }
    const auto current = top.next++;
    // `enter` may grow the stack and invalidate `top`, so nothing reads it afterwards.
    enter(*current, top.in_map ? &current.key() : nullptr);
  }
}

}  // namespace

std::string_view msgpack_type_phrase(msgpack::type::object_type type) {
  switch (type) {
    case msgpack::type::NIL:
      return "a nil";
    case msgpack::type::BOOLEAN:
      return "a bool";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "an integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return "a float";
    case msgpack::type::STR:
      return "a str";
    case msgpack::type::BIN:
      return "a bin";
    case msgpack::type::ARRAY:
      return "an array";
    case msgpack::type::MAP:
      return "a map";
    case msgpack::type::EXT:
      return "an ext";
  }
  return "an unknown";
}

result<json> to_json(const msgpack::object& object, std::size_t max_depth,
                     std::size_t frame_levels) {
  // One converter for both trees: the value's, whose rules (types, depth, repeated keys,
  // refusals and their messages) are the protocol's.
  auto converted = to_value(object, max_depth, frame_levels);
  if (!converted) return converted.error();
  return value_to_json(*converted);
}

void append_msgpack(std::string& out, const json& value) {
  string_sink sink(out);
  string_packer packer(sink);
  walk(value, [&](const json& element, const std::string* key, std::size_t) {
    if (key != nullptr) {
      packer.pack_str(static_cast<std::uint32_t>(key->size()));
      packer.pack_str_body(key->data(), static_cast<std::uint32_t>(key->size()));
    }
    write_head(packer, sink, element);
  });
}

std::string to_msgpack_bytes(const json& value) {
  std::string out;
  append_msgpack(out, value);
  return out;
}

result<json> from_msgpack_bytes(std::string_view bytes, std::size_t max_depth) {
  auto converted = value_from_msgpack_bytes(bytes, max_depth);
  if (!converted) return converted.error();
  return value_to_json(*converted);
}

std::size_t packed_size(const json& value) {
  std::size_t total = 0;
  walk(value, [&](const json& element, const std::string* key, std::size_t) {
    if (key != nullptr) total += packed_str_header_size(key->size()) + key->size();
    total += head_size(element);
  });
  return total;
}

std::size_t packed_int_size(std::int64_t value) {
  if (value >= 0) {
    if (value < 128) return 1;
    if (value < 256) return 2;
    if (value < 65536) return 3;
    return value < (std::int64_t{1} << 32) ? 5 : 9;
  }
  if (value >= -32) return 1;
  if (value >= -128) return 2;
  if (value >= -32768) return 3;
  return value >= -(std::int64_t{1} << 31) ? 5 : 9;
}

std::size_t packed_uint_size(std::uint64_t value) {
  if (value < 128) return 1;
  if (value < 256) return 2;
  if (value < 65536) return 3;
  return value < (std::uint64_t{1} << 32) ? 5 : 9;
}

std::size_t packed_bin_header_size(std::size_t length) {
  if (length < 256) return 2;
  return length < 65536 ? 3 : 5;
}

std::size_t packed_str_header_size(std::size_t length) {
  if (length < 32) return 1;
  if (length < 256) return 2;
  return length < 65536 ? 3 : 5;
}

std::size_t packed_container_header_size(std::size_t count) {
  if (count < 16) return 1;
  return count < 65536 ? 3 : 5;
}

std::size_t nesting_depth(const json& value) {
  std::size_t deepest = 0;
  walk(value, [&](const json& element, const std::string*, std::size_t depth) {
    if (element.is_structured()) deepest = std::max(deepest, depth + 1);
  });
  return deepest;
}

}  // namespace rooms
