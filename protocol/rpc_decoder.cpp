// The streaming request decoder: header scanning against the limits, msgpack-c unpacking, and
// the MessagePack-RPC message shapes (docs/protocol.md).
#include "protocol/rpc_decoder.hpp"

#include "protocol/command_parser.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <new>

#include <fmt/core.h>

#include "protocol/msgpack_json.hpp"
#include "protocol/result.hpp"
#include "protocol/text_sniffer.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

// Enough for the usual small request; the buffer grows as a larger message arrives.
constexpr std::size_t initial_buffer_bytes = 4096;

// The message frame around the room data: [0, msgid, method, [params]] and, inside params,
// an edit's ops array and op map, on top of the data's own max_depth.
constexpr std::size_t frame_nesting = 8;
constexpr std::size_t params_nesting = 3;

constexpr std::uint8_t never_used_byte = 0xc1;

// The layout of the type bytes 0xc0 to 0xdf: how many bytes after the type byte hold a length
// (of a str, bin, ext, array or map), and how many payload bytes follow besides that length
// (the value of an int or float, the type byte of an ext).
struct type_layout {
  std::uint8_t length_bytes;
  std::uint8_t extra_payload;
};

constexpr std::array<type_layout, 32> layouts = {{
    {0, 0},  {0, 0}, {0, 0}, {0, 0},  // c0 nil, c1 never used, c2 false, c3 true
    {1, 0},  {2, 0}, {4, 0},          // c4-c6 bin 8/16/32
    {1, 1},  {2, 1}, {4, 1},          // c7-c9 ext 8/16/32
    {0, 4},  {0, 8},                  // ca-cb float 32/64
    {0, 1},  {0, 2}, {0, 4}, {0, 8},  // cc-cf uint 8/16/32/64
    {0, 1},  {0, 2}, {0, 4}, {0, 8},  // d0-d3 int 8/16/32/64
    {0, 2},  {0, 3}, {0, 5}, {0, 9},  // d4-d7 fixext 1/2/4/8
    {0, 17},                          // d8 fixext 16
    {1, 0},  {2, 0}, {4, 0},          // d9-db str 8/16/32
    {2, 0},  {4, 0}, {2, 0}, {4, 0},  // dc-dd array 16/32, de-df map 16/32
}};

constexpr bool has_layout(std::uint8_t type) { return type >= 0xc0 && type <= 0xdf; }

std::size_t header_size(std::uint8_t type) {
  return has_layout(type) ? 1 + layouts[type - 0xc0].length_bytes : 1;
}

// The values an array or map header announces (a map pair counts as two), if it is one.
std::optional<std::uint64_t> container_values(std::uint8_t type, std::uint64_t length) {
  if (type >= 0x80 && type <= 0x8f) return 2 * std::uint64_t{type & 0x0fu};
  if (type >= 0x90 && type <= 0x9f) return type & 0x0fu;
  if (type == 0xdc || type == 0xdd) return length;
  if (type == 0xde || type == 0xdf) return 2 * length;
  return std::nullopt;
}

// The bytes that follow the header of any other type (none for fixints, nil and booleans).
std::uint64_t payload_size(std::uint8_t type, std::uint64_t length) {
  if (type >= 0xa0 && type <= 0xbf) return type & 0x1fu;
  if (has_layout(type)) return length + layouts[type - 0xc0].extra_payload;
  return 0;
}

std::uint64_t big_endian(const std::uint8_t* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

// Payload strings are referenced in the unpacker's buffer rather than copied: the decoder
// converts each message to a value before it reads the next one.
bool reference_payloads(msgpack::type::object_type, std::size_t, void*) { return true; }

msgpack::unpack_limit unpack_limits(const limits& node_limits) {
  const std::size_t bytes = node_limits.max_message_bytes;
  // Every array element takes at least one byte and every map pair two.
  return msgpack::unpack_limit(bytes, bytes / 2, bytes, bytes, bytes,
                               node_limits.max_depth + frame_nesting);
}

rooms_error invalid(std::string message) {
  return rooms_error{error_code::invalid_argument, std::move(message)};
}

bool is_msgid(const msgpack::object& object) {
  return object.type == msgpack::type::POSITIVE_INTEGER &&
         object.via.u64 <= std::numeric_limits<std::uint32_t>::max();
}

std::optional<std::string> method_name(const msgpack::object& object) {
  if (object.type == msgpack::type::STR)
    return std::string{object.via.str.ptr, object.via.str.size};
  if (object.type == msgpack::type::BIN)
    return std::string{object.via.bin.ptr, object.via.bin.size};
  return std::nullopt;
}

// `[map]` gives the map, `[]` an empty map (generic clients send it).
result<value> params_map(const msgpack::object& object, std::size_t max_depth) {
  if (object.type == msgpack::type::ARRAY) {
    const auto& params = object.via.array;
    if (params.size == 0) return value::map();
    if (params.size == 1 && params.ptr[0].type == msgpack::type::MAP)
      return to_value(params.ptr[0], max_depth, params_nesting);
  }
  return invalid("params must be an array holding exactly one map of named arguments");
}

}  // namespace

frame_scanner::frame_scanner(std::size_t max_message_bytes, std::size_t max_nesting)
    : max_message_bytes_(max_message_bytes), max_nesting_(max_nesting) {}

frame_scanner::outcome frame_scanner::scan(std::string_view bytes) {
  messages_completed_ = 0;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (payload_left_ > 0) {
      consume_payload(bytes, pos);
      continue;
    }
    const verdict status = consume_header_byte(static_cast<std::uint8_t>(bytes[pos]));
    if (status != verdict::ok) return outcome{status, pos, messages_completed_};
    ++pos;
  }
  return outcome{verdict::ok, bytes.size(), messages_completed_};
}

void frame_scanner::consume_payload(std::string_view bytes, std::size_t& pos) {
  const std::size_t count =
      static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, bytes.size() - pos));
  pos += count;
  message_bytes_ += count;
  payload_left_ -= count;
  if (payload_left_ == 0) value_finished();
}

frame_scanner::verdict frame_scanner::consume_header_byte(std::uint8_t byte) {
  if (header_have_ == 0) {
    if (byte == never_used_byte) return verdict::not_msgpack;
    value_started();
    header_need_ = header_size(byte);
  }
  header_[header_have_++] = byte;
  ++message_bytes_;
  if (header_have_ < header_need_) return verdict::ok;
  header_have_ = 0;
  return header_complete();
}

frame_scanner::verdict frame_scanner::header_complete() {
  const std::uint8_t type = header_[0];
  const std::uint64_t length = big_endian(header_ + 1, header_need_ - 1);
  if (const auto values = container_values(type, length)) return open_container(*values);
  payload_left_ = payload_size(type, length);
  const verdict status = check_budget();
  if (status == verdict::ok && payload_left_ == 0) value_finished();
  return status;
}

frame_scanner::verdict frame_scanner::open_container(std::uint64_t values) {
  if (values > 0 && open_containers_.size() >= max_nesting_) return verdict::too_deep;
  if (values > 0) open_containers_.push_back(values);
  values_left_ += values;
  const verdict status = check_budget();
  if (status == verdict::ok && values == 0) value_finished();
  return status;
}

frame_scanner::verdict frame_scanner::check_budget() const {
  // values_left_ counts the values still announced, each at least one byte long.
  const std::uint64_t least_total = message_bytes_ + payload_left_ + values_left_;
  return least_total > max_message_bytes_ ? verdict::too_large : verdict::ok;
}

void frame_scanner::value_started() {
  if (open_containers_.empty()) return;
  --open_containers_.back();
  --values_left_;
}

void frame_scanner::value_finished() {
  while (!open_containers_.empty() && open_containers_.back() == 0) open_containers_.pop_back();
  if (!open_containers_.empty()) return;
  message_bytes_ = 0;
  ++messages_completed_;
  ++messages_total_;
}

rpc_decoder::rpc_decoder(const limits& node_limits)
    : max_message_bytes_(node_limits.max_message_bytes),
      max_nesting_(node_limits.max_depth + frame_nesting),
      max_params_depth_(node_limits.max_depth + params_nesting),
      scanner_(max_message_bytes_, max_nesting_),
      unpacker_(std::make_unique<msgpack::unpacker>(
          &reference_payloads, nullptr, initial_buffer_bytes, unpack_limits(node_limits))) {}

void rpc_decoder::feed(std::string_view bytes) {
  if (pending_fatal_ || fatal_) return;
  if (!opening_known_) {
    // The first bytes wait here until they tell MessagePack from text (at most 8 bytes), and an
    // HTTP request line until its end (at most 64 bytes), which the error quotes.
    opening_.append(bytes);
    const opening kind = sniff_opening(opening_);
    if (kind == opening::undecided) return;
    if (kind == opening::http && opening_.find('\n') == std::string::npos && opening_.size() < 64)
      return;
    opening_known_ = true;
    if (kind != opening::msgpack) {
      pending_fatal_ = text_opening_error(kind, opening_);
      opening_ = {};
      return;
    }
    const std::string first = std::move(opening_);
    opening_ = {};
    return scan_and_buffer(first);
  }
  scan_and_buffer(bytes);
}

void rpc_decoder::scan_and_buffer(std::string_view bytes) {
  const frame_scanner::outcome scanned = scanner_.scan(bytes);
  pending_fatal_ = refusal(scanned.status);
  // The bytes before a refused header may still end messages that precede it.
  unpacker_->reserve_buffer(scanned.accepted);
  std::copy_n(bytes.data(), scanned.accepted, unpacker_->buffer());
  unpacker_->buffer_consumed(scanned.accepted);
  complete_messages_ += scanned.messages_completed;
}

std::optional<rooms_error> rpc_decoder::refusal(frame_scanner::verdict status) const {
  switch (status) {
    case frame_scanner::verdict::ok:
      return std::nullopt;
    case frame_scanner::verdict::not_msgpack:
      return invalid("the bytes received are not MessagePack");
    case frame_scanner::verdict::too_large:
      return rooms_error{
          error_code::too_large,
          fmt::format("a message is larger than the limit of {} bytes", max_message_bytes_)};
    case frame_scanner::verdict::too_deep:
      return rooms_error{
          error_code::too_large,
          fmt::format("a message nests arrays and maps too deep: room data may "
                      "nest at most {} levels (the limit), a request's frame {} more",
                      max_nesting_ - frame_nesting, frame_nesting)};
  }
  return std::nullopt;
}

decode_result rpc_decoder::next() {
  if (fatal_) return fatal_error{*fatal_};
  if (complete_messages_ == 0) {
    if (!pending_fatal_) return need_more{};
    fatal_ = std::move(pending_fatal_);
    return fatal_error{*fatal_};
  }
  --complete_messages_;
  msgpack::object_handle handle;
  auto error = unpack_one(handle);
  if (!error) return interpret(handle.get());
  fatal_ = std::move(error);
  return fatal_error{*fatal_};
}

std::optional<rooms_error> rpc_decoder::unpack_one(msgpack::object_handle& handle) {
  // The one place msgpack-c's exceptions are caught. The scanner already refused what these
  // limits would, so reaching a catch means the two disagree; the stream is unusable anyway.
  try {
    if (unpacker_->next(handle)) return std::nullopt;
    return rooms_error{error_code::internal, "decoder error: a scanned message is incomplete"};
  } catch (const msgpack::size_overflow& e) {
    return rooms_error{error_code::too_large, fmt::format("message refused: {}", e.what())};
  } catch (const msgpack::unpack_error& e) {
    return invalid(fmt::format("the bytes received are not MessagePack: {}", e.what()));
  } catch (const std::bad_alloc&) {
    return rooms_error{error_code::too_large, "message refused: out of memory"};
  } catch (const std::exception& e) {
    return rooms_error{error_code::internal, fmt::format("decoding failed: {}", e.what())};
  }
}

decode_result rpc_decoder::interpret(const msgpack::object& message) const {
  if (message.type != msgpack::type::ARRAY || message.via.array.size == 0)
    return stream_error{invalid("a message must be an array [type, ...]")};
  const msgpack::object_array& items = message.via.array;
  const msgpack::object& type = items.ptr[0];
  if (type.type == msgpack::type::POSITIVE_INTEGER) {
    if (type.via.u64 == 0) return interpret_request(items);
    if (type.via.u64 == 1) return ignored_message{};
    if (type.via.u64 == 2) return interpret_notification(items);
  }
  return stream_error{invalid("a message's type must be 0 (request) or 2 (notification)")};
}

decode_result rpc_decoder::interpret_request(const msgpack::object_array& items) const {
  if (items.size < 2 || !is_msgid(items.ptr[1]))
    return stream_error{invalid("a request's msgid must be an unsigned 32-bit integer")};
  const auto msgid = static_cast<std::uint32_t>(items.ptr[1].via.u64);
  if (items.size != 4)
    return request_error{msgid, invalid("a request must be [0, msgid, method, params]")};
  auto method = method_name(items.ptr[2]);
  if (!method) return request_error{msgid, invalid("a method name must be a str or bin")};
  auto params = params_map(items.ptr[3], max_params_depth_);
  if (!params) return request_error{msgid, params.error()};
  return decoded_request{msgid, false, std::move(*method), std::move(*params)};
}

decode_result rpc_decoder::interpret_notification(const msgpack::object_array& items) const {
  // A notification has no msgid, so whatever is wrong with it is a stream-level error.
  if (items.size != 3) return stream_error{invalid("a notification must be [2, method, params]")};
  auto method = method_name(items.ptr[1]);
  if (!method) return stream_error{invalid("a method name must be a str or bin")};
  auto params = params_map(items.ptr[2], max_params_depth_);
  // Generic clients send notifications of their own, in their own shapes (pynvim's
  // nvim_set_client_info has five positional params): an unknown method is ignored silently.
  if (!params && !is_known_method(*method)) return ignored_message{};
  if (!params) return stream_error{params.error()};
  return decoded_request{0, true, std::move(*method), std::move(*params)};
}

}  // namespace rooms
