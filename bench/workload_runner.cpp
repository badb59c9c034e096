// workload_runner: a catalog of room names and a codec per target; the loads themselves do not
// know which server they talk to.
#include "bench/workload_runner.hpp"
#include "bench/list_load.hpp"

#include <fmt/format.h>

#include "bench/bench_report.hpp"
#include "bench/bench_setup.hpp"
#include "bench/churn_load.hpp"
#include "bench/edit_load.hpp"
#include "bench/redis_codec.hpp"
#include "bench/room_catalog.hpp"
#include "bench/room_memory.hpp"
#include "bench/rooms_codec.hpp"

namespace rooms::bench {

namespace {

int fail(const rooms_error& error) {
  fmt::print(stderr, "rooms-bench: {}\n", error.message);
  return 1;
}

// Runs edit_load over `catalog` and prints its report; the codec is the target's.
int run_edit(const bench_options& options, const room_catalog& catalog,
             const nlohmann::json& extra = nlohmann::json::object()) {
  std::string sha;
  if (options.target == "redis") {
    auto loaded = load_redis_script(options);
    if (!loaded) return fail(loaded.error());
    sha = *loaded;
  }
  edit_load load(options, catalog.size(), [&]() -> std::unique_ptr<wire_codec> {
    if (options.target == "redis") return std::make_unique<redis_codec>(catalog, sha);
    return std::make_unique<rooms_codec>(catalog, options.target == "echo", options.patch);
  });
  auto outcome = load.run();
  if (!outcome) return fail(outcome.error());
  print_report(options, *outcome, stdout, extra);
  return 0;
}

int run_edit_or_fanout(const bench_options& options) {
  const auto count = static_cast<std::size_t>(options.rooms);
  if (options.target == "redis") return run_edit(options, room_catalog{redis_room_names(count)});
  if (options.target == "echo") return run_edit(options, room_catalog{echo_room_names(count)});
  auto rooms = create_rooms(options, count);
  if (!rooms) return fail(rooms.error());
  return run_edit(options, room_catalog{std::move(*rooms)});
}

// One room, grown step by step (1 KiB, 1 MiB, then --bigroom-mib), with an edit run at each size.
int run_bigroom(const bench_options& options) {
  bench_options one_room = options;
  one_room.rooms = 1;
  auto rooms = create_rooms(one_room, 1);
  if (!rooms) return fail(rooms.error());
  const room_catalog catalog{std::move(*rooms)};
  std::size_t filled = 0;
  for (std::size_t size : {std::size_t{1} << 10, std::size_t{1} << 20,
                           static_cast<std::size_t>(options.bigroom_mib) << 20}) {
    auto grown = fill_room(one_room, catalog.name(0), size - filled);
    if (!grown) return fail(grown.error());
    filled += *grown;
    if (int status = run_edit(one_room, catalog, {{"room_bytes", filled}})) return status;
  }
  return 0;
}

int run_churn(const bench_options& options) {
  churn_load load(options);
  auto outcome = load.run();
  if (!outcome) return fail(outcome.error());
  print_report(options, *outcome, stdout);
  return 0;
}

int run_list(const bench_options& options) {
  auto outcome = run_list_load(options);
  if (!outcome) return fail(outcome.error());
  print_list_report(options, *outcome, stdout);
  return outcome->stats.error_count() == 0 ? 0 : 1;
}

int run_rooms(const bench_options& options) {
  auto outcome = measure_room_memory(options);
  if (!outcome) return fail(outcome.error());
  print_memory_report(options, *outcome, stdout);
  return 0;
}

}  // namespace

int run_workload(const bench_options& options) {
  const bool loads = options.workload == "edit" || options.workload == "fanout" ||
                     options.workload == "presence" || options.workload == "list";
  if ((!loads && options.target != "rooms") ||
      (options.workload != "edit" && options.target == "echo") ||
      (options.workload == "fanout" && options.subscribers == 0)) {
    fmt::print(stderr, "rooms-bench: workload {} does not run on {} with {} subscribers\n",
               options.workload, options.target, options.subscribers);
    return 2;
  }
  if (options.workload == "churn") return run_churn(options);
  if (options.workload == "bigroom") return run_bigroom(options);
  if (options.workload == "rooms") return run_rooms(options);
  if (options.workload == "list") {
    if (options.rooms < list_group_size) {
      fmt::print(stderr, "rooms-bench: workload list needs --rooms of at least {}\n",
                 list_group_size);
      return 2;
    }
    return run_list(options);
  }
  if (options.rooms == 0) {
    fmt::print(stderr, "rooms-bench: workload {} needs --rooms of at least 1\n", options.workload);
    return 2;
  }
  return run_edit_or_fanout(options);
}

}  // namespace rooms::bench
