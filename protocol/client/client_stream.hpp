// client_stream: a client's connected socket, plaintext or TLS, non-blocking: what rooms_client,
// rooms-bench and the tests send and receive through. It also says how clients choose TLS: the
// ROOMS_TLS* environment variables (docs/protocol.md, "TLS").
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.hpp"
#include "protocol/tls/tls.hpp"

namespace rooms {

/// Whether a client speaks TLS, and with which files: `ca` verifies the node (the system's CAs
/// when empty), `cert`/`key` are the client's certificate for a node that requires one.
struct client_tls_settings {
  bool enabled = false;
  tls_files files;
};

/// ROOMS_TLS=1 turns TLS on; ROOMS_TLS_CA, ROOMS_TLS_CERT and ROOMS_TLS_KEY set the files (and
/// turn it on too).
client_tls_settings client_tls_from_environment();

/// The client context for `settings`; null when TLS is off. Errors name the file and cause.
result<std::shared_ptr<const tls_context>> make_client_tls(const client_tls_settings& settings);

class client_stream {
 public:
  using clock = std::chrono::steady_clock;

  /// What one send or receive did.
  enum class io {
    done,        // bytes moved
    wait_read,   // nothing now: poll for readability
    wait_write,  // nothing now: poll for writability
    closed,      // the node ended the connection
    failed,      // error() says why
  };

  /// Takes `fd`, a connected socket (made non-blocking here). With `tls`, completes the
  /// handshake before `deadline`, checking that the node's certificate names `host`.
  static result<client_stream> start(int fd, std::shared_ptr<const tls_context> tls,
                                     std::string_view host, clock::time_point deadline);

  client_stream(client_stream&& other) noexcept;
  client_stream& operator=(client_stream&& other) noexcept;
  client_stream(const client_stream&) = delete;
  client_stream& operator=(const client_stream&) = delete;
  ~client_stream();

  io send(const char* data, std::size_t size, std::size_t& sent);
  io receive(char* data, std::size_t capacity, std::size_t& got);
  /// Waits for what `outcome` asked for (the socket readable or writable) until `deadline`;
  /// an `unavailable` error for a closed or failed stream, or the deadline.
  std::optional<rooms_error> wait(io outcome, clock::time_point deadline) const;
  /// Sends all of `bytes` before `deadline`, waiting on the socket as needed.
  std::optional<rooms_error> send_all(std::string_view bytes, clock::time_point deadline);
  /// Bytes received and decrypted but not yet returned: receive() before polling.
  bool has_buffered() const { return tls_ && tls_->has_pending(); }
  /// Under TLS: the last receive took all the socket had (see tls_session::drained).
  bool drained() const { return tls_ && tls_->drained(); }
  /// Ends the sending direction (close_notify under TLS, then the socket's write side).
  void shutdown_write();
  void close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool uses_tls() const { return tls_.has_value(); }
  /// Why the last step failed.
  const std::string& error() const { return error_; }

 private:
  explicit client_stream(int fd) : fd_(fd) {}

  int fd_ = -1;
  std::optional<tls_session> tls_;
  std::string error_;
};

/// Waits for `events` (POLLIN, POLLOUT) on `fd` until `deadline`: false when it passed first.
bool wait_for_socket(int fd, short events, client_stream::clock::time_point deadline,
                     short& revents);

}  // namespace rooms
