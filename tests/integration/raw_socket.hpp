// raw_socket: a bare TCP connection for the tests that need what rooms_client does not do on
// purpose: half close, tiny receive buffers, reading every message up to the node's close.
// Under ROOMS_TLS* (the cluster tests over TLS) it speaks TLS, as rooms_client does there.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "protocol/client/client_stream.hpp"

namespace rooms::testing {

using json = nlohmann::json;

class raw_socket {
 public:
  /// Connects to 127.0.0.1:`port`; a `receive_buffer` above 0 sets SO_RCVBUF before connecting.
  /// Fails the test if it cannot connect.
  explicit raw_socket(std::uint16_t port, int receive_buffer = 0);
  ~raw_socket();

  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  /// Sends all of `bytes` (fails the test on error).
  void send(std::string_view bytes);
  /// shutdown(SHUT_WR) (after close_notify under TLS): the node sees the end of the input, the
  /// socket still reads.
  void shutdown_write();

  /// Reads until `count` messages arrived, the node closed, or `timeout` passed; returns the
  /// messages (as documents; bin becomes binary) read by this call.
  std::vector<json> read(std::size_t count, std::chrono::milliseconds timeout);
  /// Reads every message until the node closes the connection (or `timeout`).
  std::vector<json> read_to_end(std::chrono::milliseconds timeout);

  /// True once the node closed the connection (read returned 0 or an error).
  bool closed() const { return closed_; }

 private:
  void receive_some(std::chrono::milliseconds timeout);
  void unpack(std::vector<json>& out, std::size_t limit);

  std::optional<client_stream> stream_;
  bool closed_ = false;
  std::unique_ptr<msgpack::unpacker> unpacker_;
};

/// The client TLS context of the tests, from ROOMS_TLS* (null: plaintext); fails the test when
/// the files are bad.
std::shared_ptr<const tls_context> test_client_tls();

/// Encodes any document as MessagePack (requests with odd shapes, for malformed-input tests).
std::string pack(const json& value);

}  // namespace rooms::testing
