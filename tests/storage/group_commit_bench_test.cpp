// A throughput measurement of group commit (not run by default, no assertions on time):
//   rooms_storage_tests --run_test=group_commit_bench --log_level=message
// Closed loop: each client owns a room and waits for each write before submitting the next,
// as a room waits before acknowledging an edit.
#include <chrono>
#include <future>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "actors/storage/group_writer.hpp"
#include "tests/storage/storage_test_util.hpp"

namespace rooms {

namespace {

room_write client_write(int client, std::uint64_t version) {
  room_write w;
  w.room = "room-" + std::to_string(client);
  if (version == 1) w.image = test::sample_image(w.room);
  w.events.push_back(test::sample_event(version));
  return w;
}

// Runs `clients` closed-loop clients for about `seconds` and logs the rates.
void measure(durability mode, int clients, double seconds) {
  test::temp_dir dir;
  auto store = room_store::open(dir.path());
  BOOST_TEST_REQUIRE(store.ok());
  group_writer writer(batch_target::of(**store), mode);
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      for (std::uint64_t v = 1; std::chrono::steady_clock::now() < end; ++v) {
        std::promise<void> done;
        writer.submit(client_write(c, v),
                      [&](const std::optional<rooms_error>&) { done.set_value(); });
        done.get_future().wait();
      }
    });
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto stats = writer.stats();
  BOOST_TEST_MESSAGE(to_string(mode)
                     << ", " << clients << " clients: " << stats.writes / elapsed << " writes/s, "
                     << stats.batches / elapsed << " batches/s, " << stats.synced_batches / elapsed
                     << " synced batches/s, " << double(stats.writes) / double(stats.batches)
                     << " writes/batch");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_commit_bench, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(closed_loop_rates) {
  for (int clients : {1, 8, 64, 256}) measure(durability::sync, clients, 3.0);
  for (int clients : {1, 64}) measure(durability::async, clients, 3.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
