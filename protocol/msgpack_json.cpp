// MessagePack <-> nlohmann::json for room data, ops and arguments (docs/protocol.md; the
// type mapping is in msgpack_json.hpp). Encoding and sizing walk with an explicit stack, so no
// document depth can exhaust the call stack; decoding recurses at most max_depth levels.
#include "protocol/msgpack_json.hpp"
#include "protocol/string_sink.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace rooms {

namespace {

// --- decoding ------------------------------------------------------------------------------

rooms_error invalid(std::string message) {
  return rooms_error{error_code::invalid_argument, std::move(message)};
}

// Converts one decoded object; `depth` counts the containers already open around it and is
// checked before descending, so the recursion never goes deeper than max_depth.
class converter {
 public:
  converter(std::size_t max_depth, std::size_t frame_levels)
      : max_depth_(max_depth), frame_levels_(frame_levels) {}

  result<json> convert(const msgpack::object& object, std::size_t depth) const {
    switch (object.type) {
      case msgpack::type::NIL:
        return json(nullptr);
      case msgpack::type::BOOLEAN:
        return json(object.via.boolean);
      case msgpack::type::POSITIVE_INTEGER:
        return json(object.via.u64);
      case msgpack::type::NEGATIVE_INTEGER:
        return json(object.via.i64);
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64:
        return json(object.via.f64);
      case msgpack::type::STR:
        return json(std::string{object.via.str.ptr, object.via.str.size});
      case msgpack::type::BIN:
        return convert_bin(object.via.bin);
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
  result<json> convert_array(const msgpack::object_array& array, std::size_t depth) const {
    json out = json::array();
    auto& elements = *out.get_ptr<json::array_t*>();
    elements.reserve(array.size);
    for (std::uint32_t i = 0; i < array.size; ++i) {
      auto element = convert(array.ptr[i], depth);
      if (!element) return element.error();
      elements.push_back(std::move(*element));
    }
    return out;
  }

  // A repeated key keeps its last value, as most MessagePack and JSON decoders do.
  result<json> convert_map(const msgpack::object_map& map, std::size_t depth) const {
    json out = json::object();
    auto& members = *out.get_ptr<json::object_t*>();
    for (std::uint32_t i = 0; i < map.size; ++i) {
      const msgpack::object_kv& kv = map.ptr[i];
      if (kv.key.type != msgpack::type::STR)
        return invalid(fmt::format("map keys must be strings; found {} key",
                                   msgpack_type_phrase(kv.key.type)));
      auto value = convert(kv.val, depth);
      if (!value) return value.error();
      members.insert_or_assign(std::string{kv.key.via.str.ptr, kv.key.via.str.size},
                               std::move(*value));
    }
    return out;
  }

  static json convert_bin(const msgpack::object_bin& bin) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(bin.ptr);
    return json::binary(json::binary_t::container_type(bytes, bytes + bin.size));
  }

  std::size_t max_depth_;
  std::size_t frame_levels_;
};

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

std::size_t int64_size(std::int64_t value) {
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

std::size_t uint64_size(std::uint64_t value) {
  if (value < 128) return 1;
  if (value < 256) return 2;
  if (value < 65536) return 3;
  return value < (std::uint64_t{1} << 32) ? 5 : 9;
}

std::size_t bin_header_size(std::size_t length) {
  if (length < 256) return 2;
  return length < 65536 ? 3 : 5;
}

// What write_head writes for `value`.
std::size_t head_size(const json& value) {
  switch (value.type()) {
    case json::value_t::number_integer:
      return int64_size(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return uint64_size(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return 9;
    case json::value_t::string: {
      const std::size_t length = value.get_ref<const std::string&>().size();
      return packed_str_header_size(length) + length;
    }
    case json::value_t::binary: {
      const std::size_t length = value.get_binary().size();
      return bin_header_size(length) + length;
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
  return converter(max_depth, std::min(frame_levels, max_depth)).convert(object, 0);
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
  msgpack::object_handle handle;
  std::size_t offset = 0;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset);
  } catch (const std::exception& e) {
    return invalid(std::string{"not MessagePack: "} + e.what());
  }
  if (offset != bytes.size())
    return invalid(fmt::format("{} bytes after the MessagePack value", bytes.size() - offset));
  return to_json(handle.get(), max_depth);
}

std::size_t packed_size(const json& value) {
  std::size_t total = 0;
  walk(value, [&](const json& element, const std::string* key, std::size_t) {
    if (key != nullptr) total += packed_str_header_size(key->size()) + key->size();
    total += head_size(element);
  });
  return total;
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
