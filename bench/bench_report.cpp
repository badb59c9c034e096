// bench_report: formats what a run measured; the JSON line carries the same numbers so scripts
// (bench/compare, bench/smoke.sh) never parse the text.
#include "bench/bench_report.hpp"

#include <fmt/format.h>

namespace rooms::bench {

namespace {

struct summary {
  double ops_per_second = 0;
  double events_per_second = 0;
  double client_cores = 0;
};

summary summarize(load_outcome& outcome) {
  const double wall = outcome.wall_seconds > 0 ? outcome.wall_seconds : 1;
  return {static_cast<double>(outcome.stats.ok_count()) / wall,
          static_cast<double>(outcome.fanout.delivered.ok_count()) / wall,
          outcome.cpu_seconds / wall};
}

std::string errors_text(const latency_stats& stats) {
  if (stats.errors().empty()) return "none";
  std::string text;
  for (const auto& [code, count] : stats.errors())
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", code, count);
  return text;
}

nlohmann::json json_line(const bench_options& options, load_outcome& outcome, const summary& s) {
  auto& events = outcome.fanout;
  return {{"workload", options.workload},
          {"target", options.target},
          {"connections", options.connections},
          {"depth", options.depth},
          {"rooms", options.rooms},
          {"subscribers", options.subscribers},
          {"value_bytes", options.value_bytes},
          {"seconds", outcome.wall_seconds},
          {"ok", outcome.stats.ok_count()},
          {"errors", outcome.stats.error_count()},
          {"errors_by_code", outcome.stats.errors()},
          {"ops_per_second", s.ops_per_second},
          {"p50_us", outcome.stats.quantile(0.50)},
          {"p99_us", outcome.stats.quantile(0.99)},
          {"p999_us", outcome.stats.quantile(0.999)},
          {"events_per_second", s.events_per_second},
          {"event_p50_us", events.delivered.quantile(0.50)},
          {"event_p99_us", events.delivered.quantile(0.99)},
          {"event_p999_us", events.delivered.quantile(0.999)},
          {"gaps", events.gaps},
          {"duplicates", events.duplicates},
          {"unrecognized_events", events.unrecognized},
          {"client_cpu_cores", s.client_cores},
          {"client_bound", s.client_cores > client_bottleneck_cores}};
}

void print_fanout(load_outcome& outcome, const summary& s, std::FILE* out) {
  auto& events = outcome.fanout;
  fmt::print(out, "events delivered/s: {:.0f} ({} in window)\n", s.events_per_second,
             events.delivered.ok_count());
  fmt::print(out, "edit-to-event latency us: p50 {} p99 {} p99.9 {}\n",
             events.delivered.quantile(0.50), events.delivered.quantile(0.99),
             events.delivered.quantile(0.999));
  fmt::print(out, "gaps {} duplicates {} unrecognized events {}\n", events.gaps, events.duplicates,
             events.unrecognized);
}

}  // namespace

void print_report(const bench_options& options, load_outcome& outcome, std::FILE* out,
                  const nlohmann::json& extra) {
  const summary s = summarize(outcome);
  fmt::print(out,
             "workload {} on {}: {} connections x depth {}, {} rooms, {} subscribers, "
             "value {} bytes\n",
             options.workload, options.target, options.connections, options.depth, options.rooms,
             options.subscribers, options.value_bytes);
  for (const auto& [key, value] : extra.items()) fmt::print(out, "{}: {}\n", key, value.dump());
  fmt::print(out, "measured {:.2f} s after {:.2f} s warmup\n", outcome.wall_seconds,
             options.warmup_seconds);
  fmt::print(out, "ops/s: {:.0f} ({} ok, {} errors)\n", s.ops_per_second, outcome.stats.ok_count(),
             outcome.stats.error_count());
  fmt::print(out, "latency us: p50 {} p99 {} p99.9 {}\n", outcome.stats.quantile(0.50),
             outcome.stats.quantile(0.99), outcome.stats.quantile(0.999));
  fmt::print(out, "errors: {}\n", errors_text(outcome.stats));
  if (options.subscribers > 0) print_fanout(outcome, s, out);
  fmt::print(out, "client cpu: {:.2f} cores ({:.2f} s user+sys over {:.2f} s)\n", s.client_cores,
             outcome.cpu_seconds, outcome.wall_seconds);
  if (s.client_cores > client_bottleneck_cores)
    fmt::print(out, "note: the client used {:.2f} cores; it was probably the bottleneck\n",
               s.client_cores);
  if (!options.json) return;
  nlohmann::json line = json_line(options, outcome, s);
  line.update(extra);
  fmt::print(out, "{}\n", line.dump());
}

}  // namespace rooms::bench
