// rooms-bench: load generator for a Rooms node. Creates the rooms, runs a workload, prints what
// it measured. Method and results: docs/benchmarks.md.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_options.hpp"
#include "bench/bench_report.hpp"
#include "bench/edit_load.hpp"
#include "protocol/client/rooms_client.hpp"

namespace {

using rooms::rooms_client;
using rooms::bench::bench_options;

/// Creates are pipelined in batches so setup of many rooms takes round trips per batch, not per
/// room (in durability sync each one waits for an fsync).
constexpr int create_batch = 100;

// Reads the answers to `count` pipelined creates and appends their room ids.
rooms::result<int> collect_created(rooms_client& client, int count,
                                   std::vector<std::string>& rooms) {
  for (int i = 0; i < count; ++i) {
    auto message = client.read_message();
    if (!message) return message.error();
    auto* answer = std::get_if<rooms::response>(&*message);
    if (!answer) continue;
    if (!answer->outcome) return answer->outcome.error();
    rooms.push_back(answer->outcome->at("room").get<std::string>());
  }
  return count;
}

rooms::result<std::vector<std::string>> create_rooms(const bench_options& options) {
  auto client = rooms_client::connect(options.host, options.port);
  if (!client) return client.error();
  std::vector<std::string> rooms;
  for (int done = 0; done < options.rooms; done += create_batch) {
    const int count = std::min(create_batch, options.rooms - done);
    for (int i = 0; i < count; ++i)
      if (auto sent = client->send_request("create", {{"user", "bench"}}); !sent)
        return sent.error();
    if (auto collected = collect_created(*client, count, rooms); !collected)
      return collected.error();
  }
  return rooms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  auto options = rooms::bench::parse_bench_options(argc, argv, error);
  if (!options) {
    if (!error.empty()) fmt::print(stderr, "rooms-bench: {}\n", error);
    fmt::print(stderr, "{}", rooms::bench::bench_usage());
    return error.empty() ? 0 : 2;
  }
  auto rooms = create_rooms(*options);
  if (!rooms) {
    fmt::print(stderr, "rooms-bench: setup failed: {}\n", rooms.error().message);
    return 1;
  }
  rooms::bench::edit_load load(*options, std::move(*rooms));
  auto outcome = load.run();
  if (!outcome) {
    fmt::print(stderr, "rooms-bench: {}\n", outcome.error().message);
    return 1;
  }
  rooms::bench::print_report(*options, *outcome, stdout);
  return 0;
}
