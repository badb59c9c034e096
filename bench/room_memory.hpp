// room_memory: the `rooms` workload: how much of the node's RSS an idle room costs. Creates R
// rooms, reads the node's RSS (/proc/<pid>/status) before and after, and again after S idle
// seconds (long enough for a durable node's rooms to hibernate, given --hibernate-after-ms).
#pragma once

#include <cstdint>
#include <cstdio>

#include "bench/bench_options.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

struct memory_outcome {
  std::uint64_t rss_before_kib = 0;
  std::uint64_t rss_created_kib = 0;
  std::uint64_t rss_idle_kib = 0;
  /// The node's "rooms" counter (room actors alive) after creating, and after the idle wait.
  std::int64_t active_created = 0;
  std::int64_t active_idle = 0;
  double create_seconds = 0;
};

/// The VmRSS of process `pid` in KiB, or `not_found` naming the file.
result<std::uint64_t> rss_kib(int pid);

/// Runs the workload; needs options.node_pid. With options.rooms = 0 it only reads the RSS.
result<memory_outcome> measure_room_memory(const bench_options& options);

/// Prints RSS and bytes per room (text, and one JSON line with --json).
void print_memory_report(const bench_options& options, const memory_outcome& m, std::FILE* out);

}  // namespace rooms::bench
