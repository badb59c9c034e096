// workload_runner: sets up the server side of the chosen workload and target (bench_setup),
// runs the load, and prints the report. The one entry point rooms-bench's main calls.
#pragma once

#include "bench/bench_options.hpp"

namespace rooms::bench {

/// Runs `options.workload` against `options.target`; returns the process exit status (0 when the
/// run completed, whatever errors it counted; 1 when setup or the connections failed; 2 when the
/// workload does not exist for the target).
int run_workload(const bench_options& options);

}  // namespace rooms::bench
