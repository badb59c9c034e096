// bench_report: rooms-bench's printed results (text, and one JSON line with --json).
#pragma once

#include <cstdio>

#include "bench/bench_options.hpp"
#include "bench/edit_load.hpp"

namespace rooms::bench {

/// Above this many cores of its own CPU, the client likely limited the rate it measured.
constexpr double client_bottleneck_cores = 0.9;

/// Prints ops/s, latency quantiles, errors by code and the client's CPU use to `out`.
void print_report(const bench_options& options, load_outcome& outcome, std::FILE* out);

}  // namespace rooms::bench
