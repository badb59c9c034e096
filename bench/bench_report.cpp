// bench_report: formats what a run measured; the JSON line carries the same numbers so scripts
// (bench/durability_modes.sh, bench/smoke.sh) never parse the text.
#include "bench/bench_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rooms::bench {

namespace {

struct summary {
  double ops_per_second = 0;
  double client_cores = 0;
  std::uint32_t p50 = 0, p99 = 0, p999 = 0;
};

summary summarize(load_outcome& outcome) {
  const double wall = outcome.wall_seconds > 0 ? outcome.wall_seconds : 1;
  return {static_cast<double>(outcome.stats.ok_count()) / wall, outcome.cpu_seconds / wall,
          outcome.stats.quantile(0.50), outcome.stats.quantile(0.99),
          outcome.stats.quantile(0.999)};
}

std::string errors_text(const latency_stats& stats) {
  if (stats.errors().empty()) return "none";
  std::string text;
  for (const auto& [code, count] : stats.errors())
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", code, count);
  return text;
}

nlohmann::json json_line(const bench_options& options, const load_outcome& outcome,
                         const summary& s) {
  return {{"workload", options.workload},
          {"connections", options.connections},
          {"depth", options.depth},
          {"rooms", options.rooms},
          {"value_bytes", options.value_bytes},
          {"seconds", outcome.wall_seconds},
          {"ok", outcome.stats.ok_count()},
          {"errors", outcome.stats.error_count()},
          {"errors_by_code", outcome.stats.errors()},
          {"ops_per_second", s.ops_per_second},
          {"p50_us", s.p50},
          {"p99_us", s.p99},
          {"p999_us", s.p999},
          {"client_cpu_cores", s.client_cores},
          {"client_bound", s.client_cores > client_bottleneck_cores}};
}

}  // namespace

void print_report(const bench_options& options, load_outcome& outcome, std::FILE* out) {
  const summary s = summarize(outcome);
  fmt::print(out, "workload {}: {} connections x depth {}, {} rooms, value {} bytes\n",
             options.workload, options.connections, options.depth, options.rooms,
             options.value_bytes);
  fmt::print(out, "measured {:.2f} s after {:.2f} s warmup\n", outcome.wall_seconds,
             options.warmup_seconds);
  fmt::print(out, "ops/s: {:.0f} ({} ok, {} errors)\n", s.ops_per_second, outcome.stats.ok_count(),
             outcome.stats.error_count());
  fmt::print(out, "latency us: p50 {} p99 {} p99.9 {}\n", s.p50, s.p99, s.p999);
  fmt::print(out, "errors: {}\n", errors_text(outcome.stats));
  fmt::print(out, "client cpu: {:.2f} cores ({:.2f} s user+sys over {:.2f} s)\n", s.client_cores,
             outcome.cpu_seconds, outcome.wall_seconds);
  if (s.client_cores > client_bottleneck_cores)
    fmt::print(out, "note: the client used {:.2f} cores; it was probably the bottleneck\n",
               s.client_cores);
  if (options.json) fmt::print(out, "{}\n", json_line(options, outcome, s).dump());
}

}  // namespace rooms::bench
