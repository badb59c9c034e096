// room_memory: RSS comes from the kernel's view of the node process; the node's own "rooms"
// counter (stats) says how many room actors were alive when it was read.
#include "bench/room_memory.hpp"

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/bench_setup.hpp"
#include "bench/event_loop.hpp"
#include "protocol/client/rooms_client.hpp"

namespace rooms::bench {

namespace {

result<std::int64_t> active_rooms(const bench_options& options) {
  auto client = rooms_client::connect(options.host, options.port, rooms_client::default_timeout, {},
                                      options.tls);
  if (!client) return client.error();
  auto stats = client->call("stats");
  if (!stats) return stats.error();
  return stats->value("rooms", std::int64_t{-1});
}

double per_room(std::uint64_t after_kib, std::uint64_t before_kib, int rooms) {
  if (rooms == 0) return 0;
  return (static_cast<double>(after_kib) - static_cast<double>(before_kib)) * 1024.0 / rooms;
}

}  // namespace

result<std::uint64_t> rss_kib(int pid) {
  const std::string path = fmt::format("/proc/{}/status", pid);
  std::ifstream status(path);
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  return rooms_error{error_code::not_found, fmt::format("no VmRSS in {}", path)};
}

result<memory_outcome> measure_room_memory(const bench_options& options) {
  if (options.node_pid == 0)
    return rooms_error{error_code::invalid_argument, "the rooms workload needs --node-pid"};
  memory_outcome m;
  auto rss = rss_kib(options.node_pid);
  if (!rss) return rss.error();
  m.rss_before_kib = m.rss_created_kib = m.rss_idle_kib = *rss;
  if (options.rooms == 0) return m;
  const auto start = bench_clock::now();
  auto created = create_rooms(options, static_cast<std::size_t>(options.rooms));
  if (!created) return created.error();
  m.create_seconds = std::chrono::duration<double>(bench_clock::now() - start).count();
  auto active = active_rooms(options);
  if (!active) return active.error();
  m.active_created = *active;
  if (rss = rss_kib(options.node_pid); !rss) return rss.error();
  m.rss_created_kib = *rss;
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  if (active = active_rooms(options); !active) return active.error();
  m.active_idle = *active;
  if (rss = rss_kib(options.node_pid); !rss) return rss.error();
  m.rss_idle_kib = *rss;
  return m;
}

void print_memory_report(const bench_options& options, const memory_outcome& m, std::FILE* out) {
  const double created = per_room(m.rss_created_kib, m.rss_before_kib, options.rooms);
  const double idle = per_room(m.rss_idle_kib, m.rss_before_kib, options.rooms);
  fmt::print(out, "workload rooms: {} rooms created in {:.1f} s\n", options.rooms,
             m.create_seconds);
  fmt::print(out,
             "node rss KiB: before {} after create {} ({} room actors) after {:.0f} s idle {} "
             "({} room actors)\n",
             m.rss_before_kib, m.rss_created_kib, m.active_created, options.seconds, m.rss_idle_kib,
             m.active_idle);
  fmt::print(out, "bytes per room: {:.0f} after create, {:.0f} after idle; rooms per GiB: {:.0f}\n",
             created, idle, created > 0 ? (1 << 30) / created : 0.0);
  if (!options.json) return;
  const nlohmann::json line = {{"workload", "rooms"},
                               {"rooms", options.rooms},
                               {"rss_before_kib", m.rss_before_kib},
                               {"rss_created_kib", m.rss_created_kib},
                               {"rss_idle_kib", m.rss_idle_kib},
                               {"active_created", m.active_created},
                               {"active_idle", m.active_idle},
                               {"create_seconds", m.create_seconds},
                               {"bytes_per_room", created},
                               {"bytes_per_room_idle", idle}};
  fmt::print(out, "{}\n", line.dump());
}

}  // namespace rooms::bench
