// rooms_codec: requests packed directly (no document in between, so the client stays cheap);
// answers read from msgpack objects that reference the receive buffer.
#include "bench/rooms_codec.hpp"

#include <charconv>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "bench/value_stamp.hpp"
#include "protocol/string_sink.hpp"

namespace rooms::bench {

namespace {

constexpr std::size_t max_message_bytes = 64 << 20;
using packer = msgpack::packer<string_sink>;

void pack_string(packer& p, std::string_view s) {
  p.pack_str(static_cast<std::uint32_t>(s.size()));
  p.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

std::optional<std::string_view> string_of(const msgpack::object& o) {
  if (o.type == msgpack::type::STR) return std::string_view{o.via.str.ptr, o.via.str.size};
  if (o.type == msgpack::type::BIN) return std::string_view{o.via.bin.ptr, o.via.bin.size};
  return std::nullopt;
}

// The value of `key` in map `o`, or nullptr.
const msgpack::object* member(const msgpack::object& o, std::string_view key) {
  if (o.type != msgpack::type::MAP) return nullptr;
  for (const auto& kv : std::span{o.via.map.ptr, o.via.map.size})
    if (string_of(kv.key) == key) return &kv.val;
  return nullptr;
}

std::uint64_t uint_of(const msgpack::object* o) {
  return o && o->type == msgpack::type::POSITIVE_INTEGER ? o->via.u64 : 0;
}

std::string error_code_of(const msgpack::object& error) {
  const msgpack::object* code = member(error, "code");
  auto text = code ? string_of(*code) : std::nullopt;
  return text ? std::string{*text} : "malformed_error";
}

// The only map of a params array `[{...}]`, or nullptr.
const msgpack::object* params_map(const msgpack::object& params) {
  if (params.type != msgpack::type::ARRAY || params.via.array.size != 1) return nullptr;
  return &params.via.array.ptr[0];
}

// The stamp of an event's first op value: a stamped string, or an integer of micros.
std::optional<std::uint32_t> stamp_of_ops(const msgpack::object* ops) {
  if (!ops || ops->type != msgpack::type::ARRAY || ops->via.array.size == 0) return std::nullopt;
  const msgpack::object* value = member(ops->via.array.ptr[0], "value");
  if (!value) return std::nullopt;
  if (value->type == msgpack::type::POSITIVE_INTEGER)
    return static_cast<std::uint32_t>(value->via.u64);
  auto text = string_of(*value);
  return text ? read_stamp(*text) : std::nullopt;
}

bool reference_payloads(msgpack::type::object_type, std::size_t, void*) { return true; }

// `[0, msgid, method, [{` with a map of `fields` named arguments to follow.
void pack_call_head(packer& p, std::uint32_t msgid, std::string_view method, std::uint32_t fields) {
  p.pack_array(4).pack(0).pack(msgid);
  pack_string(p, method);
  p.pack_array(1).pack_map(fields);
}

}  // namespace

rooms_codec::rooms_codec(const room_catalog& catalog, bool echo, bool patch)
    : catalog_(catalog),
      echo_(echo),
      patch_(patch),
      unpacker_(std::make_unique<msgpack::unpacker>(
          &reference_payloads, nullptr, 64 * 1024,
          msgpack::unpack_limit(max_message_bytes, max_message_bytes, max_message_bytes,
                                max_message_bytes, max_message_bytes, 64))) {}

void rooms_codec::encode_edit(std::string& out, std::uint32_t msgid, std::size_t room, int cell,
                              std::uint32_t stamp, std::size_t value_bytes) {
  string_sink sink{out};
  packer p{sink};
  pack_call_head(p, msgid, "edit", 4);
  pack_string(p, "room");
  pack_string(p, catalog_.name(room));
  pack_string(p, "user");
  pack_string(p, "bench");
  pack_string(p, "ops");
  p.pack_array(1).pack_map(3);
  pack_string(p, "op");
  pack_string(p, "set");
  pack_string(p, "path");
  char path[32];
  pack_string(p, {path, fmt::format_to_n(path, sizeof path, "/cells/{}", cell).out});
  pack_string(p, "value");
  if (value_bytes == 0)
    p.pack(stamp);
  else
    pack_string(p, stamped_value(stamp, value_bytes));
  pack_string(p, "reply");
  pack_string(p, "version");
}

void rooms_codec::encode_presence(std::string& out, std::uint32_t msgid, std::size_t room,
                                  std::size_t source, std::uint32_t seq, std::uint32_t stamp,
                                  std::size_t value_bytes) {
  string_sink sink{out};
  packer p{sink};
  pack_call_head(p, msgid, "presence", 5);
  pack_string(p, "room");
  pack_string(p, catalog_.name(room));
  pack_string(p, "user");
  pack_string(p, "bench");
  pack_string(p, "session");
  char session[24];
  pack_string(p, {session, fmt::format_to_n(session, sizeof session, "c{}", source).out});
  pack_string(p, "data");
  p.pack_map(2);
  pack_string(p, "n");
  p.pack(seq);
  pack_string(p, "v");
  pack_string(p, stamped_value(stamp, value_bytes));
  pack_string(p, "ttl_ms");
  p.pack(presence_ttl_ms);
}

void rooms_codec::encode_subscribe(std::string& out, std::uint32_t msgid, std::size_t room) {
  if (!patch_) return encode_call(out, msgid, "subscribe", catalog_.name(room), {});
  string_sink sink{out};
  packer p{sink};
  pack_call_head(p, msgid, "subscribe", 2);
  pack_string(p, "room");
  pack_string(p, catalog_.name(room));
  pack_string(p, "patch");
  p.pack(true);
}

void rooms_codec::encode_call(std::string& out, std::uint32_t msgid, std::string_view method,
                              std::string_view room, std::string_view user) {
  string_sink sink{out};
  packer p{sink};
  pack_call_head(p, msgid, method, (room.empty() ? 0 : 1) + (user.empty() ? 0 : 1));
  if (!room.empty()) pack_string(p, "room"), pack_string(p, room);
  if (!user.empty()) pack_string(p, "user"), pack_string(p, user);
}

// msgpack-c throws on bad input; this is the one place that turns that into a value.
bool rooms_codec::feed(const char* data, std::size_t size, std::vector<wire_answer>& answers) {
  try {
    unpacker_->reserve_buffer(size);
    std::memcpy(unpacker_->buffer(), data, size);
    unpacker_->buffer_consumed(size);
    msgpack::object_handle handle;
    while (unpacker_->next(handle)) answers.push_back(decode(handle.get()));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

wire_answer rooms_codec::decode(const msgpack::object& message) const {
  if (message.type != msgpack::type::ARRAY || message.via.array.size < 3) return {};
  const msgpack::object* items = message.via.array.ptr;
  const std::uint64_t type = uint_of(&items[0]);
  const bool is_response = type == 1 || (echo_ && type == 0);
  if (is_response && message.via.array.size == 4) {
    auto a = wire_answer::response_to(static_cast<std::uint32_t>(uint_of(&items[1])));
    if (type == 1 && items[2].type != msgpack::type::NIL) a.code = error_code_of(items[2]);
    if (type == 1 && items[3].type == msgpack::type::MAP) {
      a.version = uint_of(member(items[3], "version"));
      if (auto room = member(items[3], "room"); room && string_of(*room))
        a.result_room = std::string{*string_of(*room)};
    }
    return a;
  }
  if (items[0].type != msgpack::type::POSITIVE_INTEGER || type != 2) return {};
  const auto method = string_of(items[1]);
  if (method == "event") return decode_event(items[2]);
  if (method == "presence") return decode_presence(items[2]);
  if (method == "error" || method == "lagged" || method == "unavailable") {
    const msgpack::object* map = params_map(items[2]);
    return wire_answer::error_notification(*method == "error" && map ? error_code_of(*map)
                                                                     : std::string{*method});
  }
  return {};
}

wire_answer rooms_codec::decode_event(const msgpack::object& params) const {
  const msgpack::object* map = params_map(params);
  if (!map) return {};
  wire_answer a = wire_answer::event();
  if (const msgpack::object* room = member(*map, "room"); room && string_of(*room))
    a.room = catalog_.find(*string_of(*room));
  a.version = uint_of(member(*map, "version"));
  a.stamp = stamp_of_ops(member(*map, "ops"));
  return a;
}

// Sessions are "c<connection index>"; data is {"n": update number, "v": stamped string}.
wire_answer rooms_codec::decode_presence(const msgpack::object& params) const {
  const msgpack::object* map = params_map(params);
  if (!map) return {};
  wire_answer a = wire_answer::event();
  if (const msgpack::object* room = member(*map, "room"); room && string_of(*room))
    a.room = catalog_.find(*string_of(*room));
  const msgpack::object* session = member(*map, "session");
  if (auto text = session ? string_of(*session) : std::nullopt; text && text->starts_with("c")) {
    std::size_t source = 0;
    auto [end, ec] = std::from_chars(text->data() + 1, text->data() + text->size(), source);
    if (ec == std::errc{} && end == text->data() + text->size()) a.source = source;
  }
  const msgpack::object* data = member(*map, "data");
  a.version = uint_of(data ? member(*data, "n") : nullptr);
  const msgpack::object* v = data ? member(*data, "v") : nullptr;
  if (auto text = v ? string_of(*v) : std::nullopt) a.stamp = read_stamp(*text);
  return a;
}

}  // namespace rooms::bench
