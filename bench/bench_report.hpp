// bench_report: rooms-bench's printed results (text, and one JSON line with --json).
#pragma once

#include <cstdio>

#include <nlohmann/json.hpp>

#include "bench/bench_options.hpp"
#include "bench/edit_load.hpp"

namespace rooms::bench {

/// Above this many cores of its own CPU, the client likely limited the rate it measured.
constexpr double client_bottleneck_cores = 0.9;

/// Prints ops/s, latency quantiles, errors by code, fanout deliveries and gaps (with
/// subscribers) and the client's CPU use to `out`. `extra` members join the JSON line.
void print_report(const bench_options& options, load_outcome& outcome, std::FILE* out,
                  const nlohmann::json& extra = nlohmann::json::object());

}  // namespace rooms::bench
