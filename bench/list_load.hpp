// list_load: the `list` workload (issue 15): how long a lobby query takes as the node grows.
// Setup creates R rooms whose meta puts them in groups of 100 ({"g": i / 100}); the measured
// window sends, one at a time, `list` with one `eq` condition on a random group (limit 100)
// and checks that each answer holds exactly that group's 100 rooms. Run at 10,000 and at
// 1,000,000 rooms, the p99s show whether a query costs what it returns or what the node holds.
// On Redis, the peer is what a backend would build there: a sorted set of room ids per group
// (ZADD, read in id order with ZRANGEBYLEX) and a hash per room (HGETALL of each, pipelined).
#pragma once

#include <cstdint>

#include "bench/bench_options.hpp"
#include "bench/latency_stats.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

inline constexpr int list_group_size = 100;

struct list_outcome {
  double setup_seconds = 0;
  double wall_seconds = 0;
  latency_stats stats;
};

/// Creates the rooms (unless options.no_setup) and measures; errors of the setup end the run.
result<list_outcome> run_list_load(const bench_options& options);

/// Prints calls/s and latency quantiles (text, and one JSON line with --json).
void print_list_report(const bench_options& options, list_outcome& outcome, std::FILE* out);

}  // namespace rooms::bench
