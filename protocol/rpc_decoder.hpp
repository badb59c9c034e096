// The streaming decoder of one connection's inbound bytes: MessagePack-RPC requests and
// notifications from a backend, with the message-size and nesting limits checked before
// msgpack-c allocates anything (docs/protocol.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "protocol/limits.hpp"
#include "protocol/rooms_error.hpp"
#include "protocol/value.hpp"

namespace rooms {

using json = nlohmann::json;

/// The bytes so far end inside a message: feed more.
struct need_more {};

/// A well-formed request `[0, msgid, method, [params]]`, or a notification
/// `[2, method, [params]]` (then `is_notification` is true and `msgid` is 0).
struct decoded_request {
  std::uint32_t msgid = 0;
  bool is_notification = false;
  /// Sent as str or bin; not checked against the known methods here.
  std::string method;
  /// The named arguments: always a map (`[]` on the wire gives `{}`).
  value params = value::map();
};

/// A MessagePack value that is not a valid request but carries a recognisable msgid. Answer
/// with an error response for `msgid`; the connection stays open.
struct request_error {
  std::uint32_t msgid = 0;
  rooms_error error;
};

/// A MessagePack value that is not a valid request and has no recognisable msgid (a malformed
/// notification included). Answer with an `error` notification; the connection stays open.
struct stream_error {
  rooms_error error;
};

/// Bytes that are not MessagePack (`invalid_argument`), or a message past the size or nesting
/// limit (`too_large`). Send the `error` notification, then close: nothing after it is read.
struct fatal_error {
  rooms_error error;
};

/// A response `[1, ...]` sent by the backend: never answered.
struct ignored_message {};

using decode_result = std::variant<need_more, decoded_request, request_error, stream_error,
                                   fatal_error, ignored_message>;

/// Tracks where the current message ends, reading only MessagePack headers, so that a header
/// announcing more bytes or elements than the message may still hold is refused before any
/// byte of it reaches msgpack-c. A part of rpc_decoder, declared here because it holds one.
class frame_scanner {
 public:
  enum class verdict { ok, not_msgpack, too_large, too_deep };

  struct outcome {
    verdict status = verdict::ok;
    /// All of the bytes on `ok`; else the bytes before the refused one (they never complete
    /// the refused header, so msgpack-c does not act on it). Scan no more after a refusal.
    std::size_t accepted = 0;
    /// Messages that ended within the accepted bytes.
    std::size_t messages_completed = 0;
  };

  /// `max_message_bytes`: largest message; `max_nesting`: most nested arrays and maps.
  frame_scanner(std::size_t max_message_bytes, std::size_t max_nesting);

  /// Scans `bytes`, which follow the bytes scanned before.
  outcome scan(std::string_view bytes);

  /// True while the bytes scanned end inside a message.
  bool inside_message() const { return message_bytes_ > 0; }
  /// Messages completed since the start.
  std::uint64_t messages_total() const { return messages_total_; }

 private:
  void consume_payload(std::string_view bytes, std::size_t& pos);
  verdict consume_header_byte(std::uint8_t byte);
  verdict header_complete();
  verdict open_container(std::uint64_t values);
  verdict check_budget() const;
  void value_started();
  void value_finished();

  std::size_t max_message_bytes_;
  std::size_t max_nesting_;
  /// Bytes of the current message scanned so far.
  std::size_t message_bytes_ = 0;
  /// Header of the value being read (at most 1 type byte and a 4-byte length).
  std::uint8_t header_[5] = {};
  std::size_t header_have_ = 0;
  std::size_t header_need_ = 0;
  /// Payload bytes of the current str, bin, ext or fixed-size scalar still to come.
  std::uint64_t payload_left_ = 0;
  /// For each open array or map: the values still to come (a map pair counts as two).
  std::vector<std::uint64_t> open_containers_;
  /// Sum of open_containers_: each of those values takes at least one more byte.
  std::uint64_t values_left_ = 0;
  std::size_t messages_completed_ = 0;
  std::uint64_t messages_total_ = 0;
};

/// Decodes the requests of one backend connection. Owned by that connection's gateway; not
/// thread-safe; movable. Usage: feed() what arrived, then call next() until it yields need_more
/// (or a fatal_error, after which it yields that same error forever). A connection whose first
/// bytes are an HTTP request line or JSON text gets one fatal_error that says so.
class rpc_decoder {
 public:
  explicit rpc_decoder(const limits& node_limits);

  /// Appends (copies) bytes that arrived. Bytes after a fatal error are dropped unread.
  void feed(std::string_view bytes);

  /// The next decoded message, in the order the messages were sent.
  decode_result next();

  /// True while the bytes fed end inside a message (the backend has not sent all of it).
  bool inside_message() const {
    return (!opening_known_ && !opening_.empty()) || scanner_.inside_message();
  }
  /// Messages whose last byte was fed so far: tells one incomplete message from the next.
  std::uint64_t messages_fed() const { return scanner_.messages_total(); }

 private:
  void scan_and_buffer(std::string_view bytes);
  decode_result interpret(const msgpack::object& message) const;
  decode_result interpret_request(const msgpack::object_array& message) const;
  decode_result interpret_notification(const msgpack::object_array& message) const;
  std::optional<rooms_error> unpack_one(msgpack::object_handle& handle);
  std::optional<rooms_error> refusal(frame_scanner::verdict status) const;

  std::size_t max_message_bytes_;
  std::size_t max_nesting_;
  std::size_t max_params_depth_;
  frame_scanner scanner_;
  /// Heap-allocated because msgpack-c's unpacker refers to its own members and cannot move.
  std::unique_ptr<msgpack::unpacker> unpacker_;
  /// Complete messages in the unpacker's buffer. msgpack-c is only asked to parse complete
  /// messages: it allocates an array's or map's elements when it reads the header, so a
  /// header must not reach it before the bytes of those elements did.
  std::size_t complete_messages_ = 0;
  /// Set when the scanner refused bytes; reported once the messages before them are out.
  std::optional<rooms_error> pending_fatal_;
  std::optional<rooms_error> fatal_;
  /// False until the connection's first bytes told MessagePack from HTTP or JSON text; until
  /// then they wait in opening_ (docs/protocol.md).
  bool opening_known_ = false;
  std::string opening_;
};

}  // namespace rooms
