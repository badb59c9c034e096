// event_loop: the one epoll loop of rooms-bench. It owns the connections of a workload (plaintext
// or TLS), reads what arrives and hands it to the workload, and writes what the workload queued.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client/client_stream.hpp"

namespace rooms::bench {

using bench_clock = std::chrono::steady_clock;

/// What a workload does with its connections' input. Called from `event_loop::run_until` only.
class loop_handler {
 public:
  virtual ~loop_handler() = default;
  /// Bytes read from connection `index`, at `now`. The handler queues answers with `out(index)`;
  /// the loop writes them once the socket has been read dry.
  virtual void on_bytes(std::size_t index, const char* data, std::size_t size,
                        bench_clock::time_point now) = 0;
  /// Connection `index` closed (by the peer, an error, or `close`); `reason` names which.
  virtual void on_closed(std::size_t index, const char* reason) = 0;
};

/// Level-triggered: every connection waits for input, and for output only while it has unsent
/// bytes. Not thread-safe: one thread runs the whole load.
class event_loop {
 public:
  explicit event_loop(loop_handler& handler);
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  /// Takes over a connected stream (plaintext or TLS); returns its index.
  std::size_t add(client_stream stream);
  /// The bytes connection `index` has yet to send; append, then `flush`.
  std::string& out(std::size_t index) { return connections_[index].out; }
  /// Writes what it can now; the rest goes out when the socket is writable.
  void flush(std::size_t index);
  /// Runs until `end` or until every connection is closed.
  void run_until(bench_clock::time_point end);
  /// Closes one connection (reported to the handler with `reason`).
  void close(std::size_t index, const char* reason);
  void close_all(const char* reason);
  std::size_t open_count() const { return open_count_; }

 private:
  struct connection {
    std::optional<client_stream> stream;
    std::string out;
    std::size_t out_offset = 0;
    bool write_armed = false;
    bool open() const { return stream && stream->is_open(); }
  };
  void receive(std::size_t index);
  void arm_write(std::size_t index, bool armed);

  loop_handler& handler_;
  int epoll_fd_ = -1;
  std::vector<connection> connections_;
  std::vector<char> buffer_;
  std::size_t open_count_ = 0;
};

/// The time `seconds` from `start`, on the loop's clock.
bench_clock::time_point after(bench_clock::time_point start, double seconds);

}  // namespace rooms::bench
