// rooms-bench: load generator for a Rooms node, Redis and an echo server (issue 6), and the echo
// server itself. Method and results: docs/benchmarks.md.
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "bench/bench_options.hpp"
#include "bench/echo_server.hpp"
#include "bench/workload_runner.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view{argv[1]} == "echo-server") {
    // `echo-server [--port P]`: the same option parser, so a bad port is reported the same way.
    std::string error;
    auto options = rooms::bench::parse_bench_options(argc - 1, argv + 1, error);
    if (!options) {
      fmt::print(stderr, "rooms-bench echo-server: {}\n{}", error, rooms::bench::bench_usage());
      return 2;
    }
    return rooms::bench::run_echo_server(options->port);
  }
  std::string error;
  auto options = rooms::bench::parse_bench_options(argc, argv, error);
  if (!options) {
    if (!error.empty()) fmt::print(stderr, "rooms-bench: {}\n", error);
    fmt::print(stderr, "{}", rooms::bench::bench_usage());
    return error.empty() ? 0 : 2;
  }
  return rooms::bench::run_workload(*options);
}
