// wire_codec: what a workload needs from the server it loads (Rooms, Redis or the echo server):
// encode an edit or a subscribe, and turn received bytes into answers. One codec per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rooms::bench {

/// How long the presence workload's entries live (on Redis: the presence hash's PEXPIRE).
constexpr std::uint32_t presence_ttl_ms = 60000;

/// One message from the server, reduced to what the measurements use.
struct wire_answer {
  enum class kind { response, event, error_notification, other } what = kind::other;
  /// The request it answers (responses).
  std::uint32_t msgid = 0;
  /// Set when a response failed or a notification reports an error: the wire code.
  std::optional<std::string> code;
  /// Events: the room's index in the workload's catalog (`npos` when unknown).
  std::size_t room = npos;
  /// Presence notifications: the index of the connection whose session changed (`npos` when
  /// unknown); their `version` is that session's update number in the room.
  std::size_t source = npos;
  /// Events, and responses that carry one: the room's version.
  std::uint64_t version = 0;
  /// Events: the send time stamped into the edited value (see value_stamp.hpp), if readable.
  std::optional<std::uint32_t> stamp;
  /// Responses whose result names a room (create): its id.
  std::string result_room;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  static wire_answer response_to(std::uint32_t msgid) {
    wire_answer a;
    a.what = kind::response;
    a.msgid = msgid;
    return a;
  }
  static wire_answer event() {
    wire_answer a;
    a.what = kind::event;
    return a;
  }
  static wire_answer error_notification(std::string code) {
    wire_answer a;
    a.what = kind::error_notification;
    a.code = std::move(code);
    return a;
  }
};

/// The decoding state of one connection plus the encoders. Not thread-safe.
class wire_codec {
 public:
  virtual ~wire_codec() = default;
  /// Appends a request that sets cell `cell` of room `room` (catalog index) to a value carrying
  /// `stamp` (value_stamp.hpp): a string of `value_bytes`, or with 0 the integer `stamp`.
  virtual void encode_edit(std::string& out, std::uint32_t msgid, std::size_t room, int cell,
                           std::uint32_t stamp, std::size_t value_bytes) = 0;
  /// Appends a presence update of session `source` (the sending connection's index) in room
  /// `room`, carrying its update number `seq` there and `stamp` (value_stamp.hpp) in a string of
  /// `value_bytes`; the entry lives 60 s.
  virtual void encode_presence(std::string& out, std::uint32_t msgid, std::size_t room,
                               std::size_t source, std::uint32_t seq, std::uint32_t stamp,
                               std::size_t value_bytes) = 0;
  /// Appends a request that subscribes this connection to room `room`.
  virtual void encode_subscribe(std::string& out, std::uint32_t msgid, std::size_t room) = 0;
  /// Decodes `size` more bytes, appending every complete answer. False when the bytes are not
  /// this protocol: the connection cannot be trusted further.
  virtual bool feed(const char* data, std::size_t size, std::vector<wire_answer>& answers) = 0;
};

}  // namespace rooms::bench
