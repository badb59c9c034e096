// rooms_client: the one small blocking MessagePack-RPC client over TCP, shared by rooms-cli,
// rooms-bench and the integration tests (docs/protocol.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "protocol/client/client_stream.hpp"
#include "protocol/result.hpp"

namespace rooms {

using json = nlohmann::json;

/// A notification from the node, `[2, method, [params]]`: "event", "lagged", "unavailable",
/// "error".
struct notification {
  std::string method;
  /// Always an object.
  json params = json::object();
};

/// A response `[1, msgid, error, result]`: the result, or the error map as a rooms_error (its
/// members besides "code" and "message" in `details`; an unknown code becomes `internal`).
struct response {
  std::uint32_t msgid = 0;
  result<json> outcome = json{};
};

using inbound_message = std::variant<response, notification>;

/// What the client accepts from the node. The node is trusted more than a backend, but a
/// broken one must not make the client allocate without bound.
struct client_limits {
  std::size_t max_message_bytes = std::size_t{256} << 20;
  /// Nesting of arrays and maps in one message, the frame included.
  std::size_t max_depth = 128;
};

/// One connection to a node. Blocking, with a deadline on every wait; not thread-safe. Every
/// failure is a value: a connection that cannot be made, times out, or is closed by the node
/// is `unavailable`; a node that sends something that is not a message is `internal`. After a
/// connection failed (not after a timeout) the client is closed and every call fails.
class rooms_client {
 public:
  using duration = std::chrono::milliseconds;
  static constexpr duration default_timeout{10000};

  /// Resolves `host`, connects within `timeout`, and sets TCP_NODELAY. With `tls`, speaks TLS
  /// (the handshake within the same timeout), and the node's certificate must name `host`.
  static result<rooms_client> connect(const std::string& host, std::uint16_t port,
                                      duration timeout = default_timeout, client_limits limits = {},
                                      std::shared_ptr<const tls_context> tls = nullptr);

  rooms_client(rooms_client&& other) noexcept;
  rooms_client& operator=(rooms_client&& other) noexcept;
  rooms_client(const rooms_client&) = delete;
  rooms_client& operator=(const rooms_client&) = delete;
  ~rooms_client();

  /// Sends a request and waits for the response with its msgid: the result, or the error the
  /// node answered. Notifications and other responses arriving meanwhile are queued for
  /// next_notification and read_message. If the node closes the connection after an "error"
  /// notification (a protocol error, `unauthenticated`), that error is returned. After a
  /// timeout the late response still arrives, through read_message.
  result<json> call(std::string_view method, const json& params = json::object(),
                    duration timeout = default_timeout);

  /// Sends a request without waiting (pipelining); returns the msgid it was given.
  result<std::uint32_t> send_request(std::string_view method, const json& params = json::object());

  /// Sends a notification `[2, method, [params]]` (fire-and-forget).
  std::optional<rooms_error> send_notification(std::string_view method,
                                               const json& params = json::object());

  /// Sends `bytes` as they are, for malformed-input tests.
  std::optional<rooms_error> send_raw(std::string_view bytes);

  /// The next message from the node, queued ones first, in arrival order.
  result<inbound_message> read_message(duration timeout = default_timeout);

  /// The next notification, queued ones first; responses arriving meanwhile are queued for
  /// read_message. Nothing on timeout, or when the connection failed (see closed_reason).
  std::optional<notification> next_notification(duration timeout = default_timeout);

  bool is_open() const { return stream_.is_open(); }

  /// Why the connection is closed, once it is.
  const std::optional<rooms_error>& closed_reason() const { return closed_reason_; }

  /// Closes the connection (idempotent).
  void close();

 private:
  using clock = std::chrono::steady_clock;

  rooms_client(client_stream stream, client_limits limits);

  std::optional<rooms_error> write_all(std::string_view bytes, clock::time_point deadline);
  std::optional<rooms_error> wait_and_receive(clock::time_point deadline);
  std::optional<rooms_error> receive_available();
  std::optional<rooms_error> unpack_received();
  std::optional<rooms_error> unpack_one(msgpack::object_handle& handle, bool& complete);
  std::optional<result<json>> take_response(std::uint32_t msgid);
  std::optional<notification> take_notification();
  rooms_error fail(rooms_error error);
  std::optional<rooms_error> not_open() const;

  client_stream stream_;
  client_limits limits_;
  std::uint32_t next_msgid_ = 1;
  /// Heap-allocated because msgpack-c's unpacker refers to its own members and cannot move.
  std::unique_ptr<msgpack::unpacker> unpacker_;
  std::deque<inbound_message> inbound_;
  /// The last "error" notification: the reason the node gives before it closes.
  std::optional<rooms_error> node_error_;
  std::optional<rooms_error> closed_reason_;
};

}  // namespace rooms
