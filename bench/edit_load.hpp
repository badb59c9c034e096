// edit_load: the `edit` workload: one epoll loop drives C non-blocking connections, each keeping
// D `edit` requests in flight against R rooms (PROTOCOL.md sections 1 and 5; docs/benchmarks.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <msgpack.hpp>

#include "bench/bench_options.hpp"
#include "bench/latency_stats.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

using bench_clock = std::chrono::steady_clock;

/// What one run measured, over the window after the warmup.
struct load_outcome {
  latency_stats stats;
  double wall_seconds = 0;
  /// The client's own user + sys CPU time in the window.
  double cpu_seconds = 0;
};

/// One connection of the loop: bytes not yet written, the unpacker, and the send time of each
/// request still waiting for its answer, by msgid.
struct bench_connection {
  int fd = -1;
  std::string out;
  std::size_t out_offset = 0;
  bool write_armed = false;
  std::unique_ptr<msgpack::unpacker> unpacker;
  std::unordered_map<std::uint32_t, bench_clock::time_point> in_flight;
  std::uint32_t next_msgid = 1;
};

/// Runs the load once. Answers count when they arrive inside the measured window; a connection
/// the node closes (or that fails) counts as an error whenever it happens, and is not reopened.
class edit_load {
 public:
  /// `rooms` must exist and have "bench" as a member (setup creates them as "bench").
  edit_load(const bench_options& options, std::vector<std::string> rooms);
  ~edit_load();
  edit_load(const edit_load&) = delete;
  edit_load& operator=(const edit_load&) = delete;

  /// Connects every connection, runs warmup then the measured window, and closes them.
  /// `unavailable` if the connections cannot be made.
  result<load_outcome> run();

 private:
  std::optional<rooms_error> open_connections();
  void loop_until(bench_clock::time_point end);
  void on_event(bench_connection& connection, std::uint32_t events);
  void receive(bench_connection& connection);
  bool unpack_all(bench_connection& connection, bench_clock::time_point now);
  void on_message(bench_connection& connection, const msgpack::object& message,
                  bench_clock::time_point now);
  void queue_edit(bench_connection& connection);
  void flush(bench_connection& connection);
  void arm_write(bench_connection& connection, bool armed);
  void drop(bench_connection& connection, const std::string& reason);
  void close_all();

  bench_options options_;
  std::vector<std::string> rooms_;
  std::string string_value_;
  std::mt19937_64 random_{20240611};
  int epoll_fd_ = -1;
  std::vector<bench_connection> connections_;
  int open_count_ = 0;
  bool measuring_ = false;
  bool stopping_ = false;
  latency_stats stats_;
};

}  // namespace rooms::bench
