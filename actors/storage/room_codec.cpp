// Encoding and decoding of stored room images and event records (format in room_codec.hpp).
// Decoding unpacks with explicit limits, catches msgpack-c's exceptions in one function, and
// converts through msgpack_json so documents keep their types.
#include "actors/storage/room_codec.hpp"
#include "protocol/string_sink.hpp"

#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "protocol/msgpack_json.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

// The record map itself is one level around the documents it holds.
constexpr std::size_t record_depth = max_stored_depth + 1;

// --- encoding --------------------------------------------------------------------------------

// Writes record maps: field names, strings and unsigned integers; documents go through
// append_msgpack.
class record_writer {
 public:
  explicit record_writer(std::string& out) : out_(out), sink_(out), packer_(sink_) {}

  void map(std::size_t fields) { packer_.pack_map(static_cast<std::uint32_t>(fields)); }
  void array(std::size_t size) { packer_.pack_array(static_cast<std::uint32_t>(size)); }
  void text(std::string_view value) {
    packer_.pack_str(static_cast<std::uint32_t>(value.size()));
    packer_.pack_str_body(value.data(), static_cast<std::uint32_t>(value.size()));
  }
  void uint(std::uint64_t value) { packer_.pack_uint64(value); }
  void document(const json& j) { append_msgpack(out_, j); }
  void document(const value& v) { append_msgpack(out_, v); }

 private:
  std::string& out_;
  string_sink sink_;
  msgpack::packer<string_sink> packer_;
};

void write_keys(record_writer& out, const std::vector<stored_key>& keys) {
  out.array(keys.size());
  for (const stored_key& key : keys) {
    out.map(4);
    out.text("user");
    out.text(key.user);
    out.text("key");
    out.text(key.key);
    out.text("fp");
    out.uint(key.fingerprint);
    out.text("ver");
    out.uint(key.version);
  }
}

// --- decoding --------------------------------------------------------------------------------

rooms_error corrupt(std::string_view what, std::string_view detail) {
  return rooms_error{error_code::internal, fmt::format("corrupt {}: {}", what, detail)};
}

// Strings and bins stay in `bytes` instead of being copied: the record is converted to json
// before `bytes` goes away.
bool reference_all(msgpack::type::object_type, std::size_t, void*) { return true; }

// The one place msgpack-c's exceptions are caught. No container can have more elements than
// there are bytes, so the size limits are the input's length.
std::optional<rooms_error> unpack_record(std::string_view bytes, std::string_view what,
                                         msgpack::object_handle& handle) {
  const std::size_t n = bytes.size();
  const msgpack::unpack_limit limits(n, n / 2, n, n, n, record_depth);
  std::size_t offset = 0;
  try {
    msgpack::unpack(handle, bytes.data(), n, offset, reference_all, nullptr, limits);
  } catch (const std::exception& e) {
    return corrupt(what, fmt::format("not MessagePack ({})", e.what()));
  }
  if (offset != n) return corrupt(what, fmt::format("{} bytes after the record", n - offset));
  return std::nullopt;
}

// Takes typed fields out of one decoded record map (moving documents, not copying them).
class record_reader {
 public:
  // The record in `bytes`, with its map shape and format number checked.
  static result<record_reader> open(std::string_view bytes, std::string_view what) {
    msgpack::object_handle handle;
    if (auto error = unpack_record(bytes, what, handle)) return *error;
    if (handle.get().type != msgpack::type::MAP) return corrupt(what, "not a map");
    auto record = to_json(handle.get(), record_depth);
    if (!record) return corrupt(what, record.error().message);
    record_reader reader(std::move(*record), what);
    if (auto error = reader.check_format()) return *error;
    return reader;
  }

  result<std::uint64_t> uint(const char* name) {
    json* field = find(name);
    if (field == nullptr || !field->is_number_unsigned()) return wrong(name, "an unsigned integer");
    return field->get<std::uint64_t>();
  }
  result<std::string> text(const char* name) {
    json* field = find(name);
    if (field == nullptr || !field->is_string()) return wrong(name, "a string");
    return std::move(field->get_ref<std::string&>());
  }
  result<json> take(const char* name, json::value_t type) {
    json* field = find(name);
    if (field == nullptr || field->type() != type) return wrong(name, json(type).type_name());
    return std::move(*field);
  }
  result<json> take_any(const char* name) {
    json* field = find(name);
    if (field == nullptr) return wrong(name, "present");
    return std::move(*field);
  }
  bool has(const char* name) { return find(name) != nullptr; }
  rooms_error error(std::string_view detail) const { return corrupt(what_, detail); }

 private:
  record_reader(json record, std::string_view what) : record_(std::move(record)), what_(what) {}

  json* find(const char* name) {
    auto it = record_.find(name);
    return it == record_.end() ? nullptr : &*it;
  }
  rooms_error wrong(const char* name, std::string_view expected) const {
    return error(fmt::format("field \"{}\" is missing or not {}", name, expected));
  }
  std::optional<rooms_error> check_format() {
    auto format = uint("fmt");
    if (!format) return format.error();
    if (*format == room_codec_format) return std::nullopt;
    return error(fmt::format("format {} is not readable by this build (it reads format {})",
                             *format, room_codec_format));
  }

  json record_;
  std::string_view what_;
};

result<std::vector<std::string>> read_members(record_reader& in) {
  auto members = in.take("mem", json::value_t::array);
  if (!members) return members.error();
  std::vector<std::string> out;
  out.reserve(members->size());
  for (json& member : *members) {
    if (!member.is_string()) return in.error("a member is not a string");
    out.push_back(std::move(member.get_ref<std::string&>()));
  }
  return out;
}

std::optional<stored_key> read_key(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  auto key = entry.find("key"), fp = entry.find("fp"), ver = entry.find("ver");
  if (key == entry.end() || fp == entry.end() || ver == entry.end()) return std::nullopt;
  if (!key->is_string() || !fp->is_number_unsigned() || !ver->is_number_unsigned())
    return std::nullopt;
  // Records written before keys were scoped to users have no "user": those keys match nothing.
  std::string user;
  if (auto found = entry.find("user"); found != entry.end()) {
    if (!found->is_string()) return std::nullopt;
    user = found->get<std::string>();
  }
  return stored_key{std::move(user), key->get<std::string>(), fp->get<std::uint64_t>(),
                    ver->get<std::uint64_t>()};
}

result<std::vector<stored_key>> read_keys(record_reader& in) {
  auto keys = in.take("keys", json::value_t::array);
  if (!keys) return keys.error();
  std::vector<stored_key> out;
  out.reserve(keys->size());
  for (const json& entry : *keys) {
    auto key = read_key(entry);
    if (!key)
      return in.error("an idempotency key is not {user: str, key: str, fp: uint, ver: uint}");
    out.push_back(std::move(*key));
  }
  return out;
}

// The image's scalar fields: id, owner, data and version.
std::optional<rooms_error> read_image_fields(record_reader& in, room_image& image) {
  auto id = in.text("id");
  if (!id) return id.error();
  auto owner = in.text("own");
  if (!owner) return owner.error();
  auto data = in.take_any("data");
  if (!data) return data.error();
  auto version = in.uint("ver");
  if (!version) return version.error();
  image.id = std::move(*id);
  image.owner = std::move(*owner);
  image.data = json_to_value(*data);
  image.version = *version;
  return std::nullopt;
}

value clocks_value(const room_clocks& clocks) {
  return value::array(
      {value::unsigned_integer(clocks.changed_at_ms),
       clocks.emptied_at_ms ? value::unsigned_integer(*clocks.emptied_at_ms) : value{},
       value::unsigned_integer(clocks.presence_at_ms)});
}

// The expiry fields "exp" (the policy) and "clk" ([changed_at, emptied_at or nil,
// presence_at]); records stored before expiry have neither.
std::optional<rooms_error> read_expiry(record_reader& in, expire_policy& policy,
                                       room_clocks& clocks) {
  if (in.has("exp")) {
    auto exp = in.take("exp", json::value_t::object);
    if (!exp) return exp.error();
    auto read = read_expire_policy(json_to_value(*exp));
    if (!read) return in.error("field \"exp\" is not an expiry policy");
    policy = *read;
  }
  if (!in.has("clk")) return std::nullopt;
  auto clk = in.take("clk", json::value_t::array);
  if (!clk) return clk.error();
  const json& c = *clk;
  if (c.size() != 3 || !c[0].is_number_unsigned() || !c[2].is_number_unsigned() ||
      !(c[1].is_null() || c[1].is_number_unsigned()))
    return in.error("field \"clk\" is not [uint, uint or nil, uint]");
  clocks.changed_at_ms = c[0].get<std::uint64_t>();
  clocks.emptied_at_ms =
      c[1].is_null() ? std::nullopt : std::optional<std::uint64_t>{c[1].get<std::uint64_t>()};
  clocks.presence_at_ms = c[2].get<std::uint64_t>();
  return std::nullopt;
}

bool has_version(const json& event) {
  auto it = event.find("version");
  return it != event.end() && it->is_number_unsigned();
}

}  // namespace

std::string encode_room_image(const room_image& image) {
  std::string out;
  record_writer w(out);
  const bool expires = !image.expire.empty();
  w.map(8 + (image.meta.as_map().empty() ? 0 : 1) + (expires ? 1 : 0));
  w.text("fmt");
  w.uint(room_codec_format);
  w.text("id");
  w.text(image.id);
  w.text("own");
  w.text(image.owner);
  w.text("mem");
  w.array(image.members.size());
  for (const std::string& member : image.members) w.text(member);
  w.text("data");
  w.document(image.data);
  w.text("ver");
  w.uint(image.version);
  w.text("keys");
  write_keys(w, image.keys);
  if (!image.meta.as_map().empty()) {
    w.text("meta");
    w.document(image.meta);
  }
  if (expires) {
    w.text("exp");
    w.document(image.expire.to_value());
  }
  w.text("clk");
  w.document(clocks_value(image.clocks));
  return out;
}

std::string encode_room_summary(const room_summary& summary) {
  std::string out;
  record_writer w(out);
  w.map(8);
  w.text("fmt");
  w.uint(room_codec_format);
  w.text("own");
  w.text(summary.owner);
  w.text("ver");
  w.uint(summary.version);
  w.text("mem");
  w.uint(summary.members);
  w.text("meta");
  w.document(summary.meta);
  w.text("exp");
  w.document(summary.expire.to_value());
  w.text("clk");
  w.document(clocks_value(summary.clocks));
  w.text("at");
  w.document(summary.expires_at_ms ? value::unsigned_integer(*summary.expires_at_ms) : value{});
  return out;
}

// Summaries are read by the hundred for each `list`: decoded straight into values, without
// the JSON documents the other records go through.
result<room_summary> decode_room_summary(std::string_view bytes) {
  const auto corrupt_summary = [](std::string_view detail) {
    return corrupt("room summary", detail);
  };
  auto decoded = value_from_msgpack_bytes(bytes, record_depth);
  if (!decoded) return corrupt_summary(decoded.error().message);
  if (!decoded->is_map()) return corrupt_summary("not a map");
  value_map& in = decoded->as_map();
  const auto uint = [&](std::string_view name) -> std::optional<std::uint64_t> {
    const value* v = in.find(name);
    if (v == nullptr || v->kind() != value_kind::unsigned_integer) return std::nullopt;
    return v->as_uint();
  };
  const auto format = uint("fmt");
  if (format != room_codec_format)
    return corrupt_summary(format ? fmt::format("format {} is not readable by this build", *format)
                                  : "field \"fmt\" is missing");
  const auto version = uint("ver");
  const auto members = uint("mem");
  value* owner = in.find("own");
  value* meta = in.find("meta");
  const value* at = in.find("at");
  const value* exp = in.find("exp");
  const value* clk = in.find("clk");
  if (!version || !members || owner == nullptr || !owner->is_string() || meta == nullptr ||
      !meta->is_map() || at == nullptr ||
      !(at->is_nil() || at->kind() == value_kind::unsigned_integer))
    return corrupt_summary("a field is missing or mistyped");
  room_summary summary;
  summary.owner = std::string{owner->as_string()};
  summary.version = *version;
  summary.members = *members;
  summary.meta = std::move(*meta);
  if (!at->is_nil()) summary.expires_at_ms = at->as_uint();
  if (exp != nullptr) {
    auto policy = read_expire_policy(*exp);
    if (!policy) return corrupt_summary("field \"exp\" is not an expiry policy");
    summary.expire = *policy;
  }
  if (clk != nullptr) {
    const value_array* c = clk->if_array();
    const auto is_uint = [](const value& v) { return v.kind() == value_kind::unsigned_integer; };
    if (c == nullptr || c->size() != 3 || !is_uint((*c)[0]) || !is_uint((*c)[2]) ||
        !((*c)[1].is_nil() || is_uint((*c)[1])))
      return corrupt_summary("field \"clk\" is not [uint, uint or nil, uint]");
    summary.clocks.changed_at_ms = (*c)[0].as_uint();
    if (!(*c)[1].is_nil()) summary.clocks.emptied_at_ms = (*c)[1].as_uint();
    summary.clocks.presence_at_ms = (*c)[2].as_uint();
  }
  return summary;
}

std::string encode_event_record(const event_record& record) {
  std::string out;
  record_writer w(out);
  w.map(3 + (record.key ? 1 : 0) + (record.patch.empty() ? 0 : 1));
  w.text("fmt");
  w.uint(room_codec_format);
  w.text("ev");
  w.document(record.event);
  w.text("fp");
  w.uint(record.fingerprint);
  if (record.key) {
    w.text("key");
    w.text(*record.key);
  }
  if (!record.patch.empty()) {
    w.text("patch");
    out.append(record.patch);  // already encoded
  }
  return out;
}

result<room_image> decode_room_image(std::string_view bytes) {
  auto in = record_reader::open(bytes, "room image");
  if (!in) return in.error();
  room_image image;
  if (auto error = read_image_fields(*in, image)) return *error;
  auto members = read_members(*in);
  if (!members) return members.error();
  auto keys = read_keys(*in);
  if (!keys) return keys.error();
  image.members = std::move(*members);
  image.keys = std::move(*keys);
  if (in->has("meta")) {
    auto meta = in->take("meta", json::value_t::object);
    if (!meta) return meta.error();
    image.meta = json_to_value(*meta);
  }
  if (auto error = read_expiry(*in, image.expire, image.clocks)) return *error;
  return image;
}

result<event_record> decode_event_record(std::string_view bytes) {
  auto in = record_reader::open(bytes, "event record");
  if (!in) return in.error();
  event_record record;
  auto event = in->take("ev", json::value_t::object);
  if (!event) return event.error();
  if (!has_version(*event)) return in->error("the event has no unsigned \"version\"");
  auto fingerprint = in->uint("fp");
  if (!fingerprint) return fingerprint.error();
  if (in->has("key")) {
    auto key = in->text("key");
    if (!key) return key.error();
    record.key = std::move(*key);
  }
  if (in->has("patch")) {
    auto patch = in->take("patch", json::value_t::array);
    if (!patch) return patch.error();
    record.patch = to_msgpack_bytes(json_to_value(*patch));
  }
  record.event = json_to_value(*event);
  record.fingerprint = *fingerprint;
  return record;
}

}  // namespace rooms
