// Tests of group_writer (actors/storage/group_writer.hpp): group commit from many threads,
// completion order, async syncs, none mode, refused writes and injected write failures.
#include "actors/storage/group_writer.hpp"

#include <future>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/storage/failing_fs.hpp"
#include "tests/storage/store_test_helpers.hpp"

namespace rooms {

namespace {

using namespace test;

// A batch_target that records what it is asked, can fail on demand, and can hold its first
// write until released (so later submissions pile up into one batch).
struct fake_target {
  std::mutex mutex;
  std::vector<std::size_t> batch_sizes;
  std::vector<bool> batch_synced;
  int wal_syncs = 0;
  std::atomic<bool> failing{false};
  std::promise<void> first_write_started, release_first_write;
  bool hold_first = false;

  batch_target target() {
    return batch_target{
        [this](const std::vector<room_write>& batch, bool sync) { return write(batch, sync); },
        [this] {
          const std::lock_guard lock(mutex);
          ++wal_syncs;
          return std::optional<rooms_error>{};
        }};
  }

  std::optional<rooms_error> write(const std::vector<room_write>& batch, bool sync) {
    std::size_t index;
    {
      const std::lock_guard lock(mutex);
      index = batch_sizes.size();
      batch_sizes.push_back(batch.size());
      batch_synced.push_back(sync);
    }
    if (index == 0 && hold_first) {
      first_write_started.set_value();
      release_first_write.get_future().wait();
    }
    if (failing) return rooms_error{error_code::unavailable, "injected: disk full"};
    return std::nullopt;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(group_writer_batches)

// Threads each own a room: a create, then edits in version order. Every completion arrives, in
// each thread's submission order, in fewer batches than writes, and a reopen finds it all.
BOOST_AUTO_TEST_CASE(many_threads_commit_in_groups_and_everything_is_stored) {
  constexpr int threads = 8;
  constexpr std::uint64_t per_thread = 500;
  temp_dir dir;
  group_writer::counters stats;
  {
    auto store = open_ok(dir.path());
    group_writer writer(batch_target::of(*store), durability::sync);
    event_counter completed;
    std::atomic<int> out_of_order{0}, failed{0};
    std::vector<std::thread> submitters;
    for (int t = 0; t < threads; ++t)
      submitters.emplace_back([&, t] {
        const std::string room = "room-" + std::to_string(t);
        auto next = std::make_shared<std::uint64_t>(1);  // written on the writer thread only
        for (std::uint64_t v = 1; v <= per_thread; ++v)
          writer.submit(v == 1 ? create(room) : edit(room, v),
                        [&, next, v](const std::optional<rooms_error>& error) {
                          if (error) ++failed;
                          if ((*next)++ != v) ++out_of_order;
                          completed.add();
                        });
      });
    for (auto& s : submitters) s.join();
    BOOST_TEST_REQUIRE(completed.wait_for(threads * per_thread));
    BOOST_TEST(failed == 0);
    BOOST_TEST(out_of_order == 0);
    stats = writer.stats();
    BOOST_TEST(store->room_count() == static_cast<std::uint64_t>(threads));
  }
  BOOST_TEST(stats.writes == threads * per_thread);
  BOOST_TEST(stats.batches < stats.writes);
  BOOST_TEST(stats.synced_batches == stats.batches);
  BOOST_TEST_MESSAGE("sync mode: " << stats.writes << " writes in " << stats.batches << " batches");
  auto store = open_ok(dir.path());
  for (int t = 0; t < threads; ++t) {
    auto room = store->load("room-" + std::to_string(t));
    BOOST_TEST_REQUIRE(room.ok());
    BOOST_TEST_REQUIRE(room->has_value());
    BOOST_TEST((*room)->events.size() == per_thread);
    BOOST_TEST((*room)->events.back().version() == per_thread);
  }
}

BOOST_AUTO_TEST_CASE(writes_queued_during_a_batch_form_the_next_batch) {
  fake_target fake;
  fake.hold_first = true;
  group_writer writer(fake.target(), durability::sync);
  event_counter completed;
  const auto count = [&](const std::optional<rooms_error>&) { completed.add(); };
  writer.submit(create("a"), count);
  fake.first_write_started.get_future().wait();
  for (std::uint64_t v = 2; v <= 101; ++v) writer.submit(edit("a", v), count);
  fake.release_first_write.set_value();
  BOOST_TEST_REQUIRE(completed.wait_for(101));
  const std::lock_guard lock(fake.mutex);
  BOOST_TEST(fake.batch_sizes == (std::vector<std::size_t>{1, 100}),
             boost::test_tools::per_element());
  BOOST_TEST(fake.batch_synced == (std::vector<bool>{true, true}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_write_fails_every_completion_of_its_batch_only) {
  fake_target fake;
  fake.hold_first = true;
  group_writer writer(fake.target(), durability::sync);
  event_counter completed;
  std::mutex mutex;
  std::vector<std::optional<rooms_error>> results;
  const auto record = [&](const std::optional<rooms_error>& error) {
    {
      const std::lock_guard lock(mutex);
      results.push_back(error);
    }
    completed.add();
  };
  writer.submit(create("a"), record);
  fake.first_write_started.get_future().wait();
  fake.failing = true;  // the first batch fails too: it checks after being released
  for (std::uint64_t v = 2; v <= 51; ++v) writer.submit(edit("a", v), record);
  fake.release_first_write.set_value();
  BOOST_TEST_REQUIRE(completed.wait_for(51));
  fake.failing = false;
  writer.submit(edit("a", 52), record);
  BOOST_TEST_REQUIRE(completed.wait_for(52));
  const std::lock_guard lock(mutex);
  for (std::size_t i = 0; i < 51; ++i) {
    BOOST_TEST_REQUIRE(results[i].has_value());
    BOOST_TEST((results[i]->code == error_code::unavailable));
  }
  BOOST_TEST(!results[51].has_value());
  BOOST_TEST(writer.stats().failed_batches == 2u);
}

BOOST_AUTO_TEST_CASE(a_refused_write_fails_alone) {
  fake_target fake;
  fake.hold_first = true;
  group_writer writer(fake.target(), durability::sync);
  event_counter completed;
  std::vector<std::optional<rooms_error>> results(4);
  const auto into = [&](std::size_t i) {
    return [&, i](const std::optional<rooms_error>& error) {
      results[i] = error;  // completions run on one thread, one after another
      completed.add();
    };
  };
  writer.submit(create("a"), into(0));
  fake.first_write_started.get_future().wait();
  writer.submit(edit("a", 2), into(1));
  writer.submit(edit("bad/id", 1), into(2));
  writer.submit(edit("a", 3), into(3));
  fake.release_first_write.set_value();
  BOOST_TEST_REQUIRE(completed.wait_for(4));
  BOOST_TEST(!results[1].has_value());
  BOOST_TEST_REQUIRE(results[2].has_value());
  BOOST_TEST((results[2]->code == error_code::invalid_argument));
  BOOST_TEST(!results[3].has_value());
  const std::lock_guard lock(fake.mutex);
  BOOST_TEST(fake.batch_sizes == (std::vector<std::size_t>{1, 2}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stop_drains_the_queue_and_later_submits_fail) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  event_counter completed;
  std::atomic<int> failed{0};
  const auto count = [&](const std::optional<rooms_error>& error) {
    if (error) ++failed;
    completed.add();
  };
  {
    group_writer writer(batch_target::of(*store), durability::sync);
    writer.submit(create("a"), count);
    for (std::uint64_t v = 2; v <= 1000; ++v) writer.submit(edit("a", v), count);
    writer.stop();
    BOOST_TEST(completed.count() == 1000u);
    BOOST_TEST(failed == 0);
    writer.submit(edit("a", 1001), count);
    BOOST_TEST(completed.count() == 1001u);
    BOOST_TEST(failed == 1);
  }
  BOOST_TEST(store->load("a")->value().events.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(async_mode_writes_without_sync_and_syncs_the_wal_soon_after) {
  fake_target fake;
  group_writer writer(fake.target(), durability::async);
  event_counter completed;
  for (std::uint64_t v = 1; v <= 10; ++v)
    writer.submit(edit("a", v), [&](const std::optional<rooms_error>&) { completed.add(); });
  BOOST_TEST_REQUIRE(completed.wait_for(10));
  // The sync is due an interval (1 s) after the first write; wait far longer before failing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (writer.stats().wal_syncs == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  const auto stats = writer.stats();
  BOOST_TEST(stats.wal_syncs >= 1u);
  BOOST_TEST(stats.synced_batches == 0u);
  const std::lock_guard lock(fake.mutex);
  for (bool synced : fake.batch_synced) BOOST_TEST(!synced);
}

BOOST_AUTO_TEST_CASE(async_mode_against_a_store_keeps_everything_after_stop) {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    group_writer writer(batch_target::of(*store), durability::async);
    writer.submit(create("a"), [](const std::optional<rooms_error>&) {});
    for (std::uint64_t v = 2; v <= 100; ++v)
      writer.submit(edit("a", v), [](const std::optional<rooms_error>&) {});
    writer.stop();
    BOOST_TEST(writer.stats().wal_syncs == 1u);  // the final sync at stop
  }
  auto store = open_ok(dir.path());
  BOOST_TEST(store->load("a")->value().events.size() == 100u);
}

BOOST_AUTO_TEST_CASE(none_mode_completes_at_once_and_never_writes) {
  fake_target fake;
  group_writer writer(fake.target(), durability::none);
  bool done = false;
  writer.submit(create("a"), [&](const std::optional<rooms_error>& error) { done = !error; });
  BOOST_TEST(done);  // ran on this thread, before submit returned
  writer.stop();
  group_writer without_store(batch_target{}, durability::none);
  without_store.submit(create("b"), [&](const std::optional<rooms_error>&) {});
  const std::lock_guard lock(fake.mutex);
  BOOST_TEST(fake.batch_sizes.empty());
  BOOST_TEST(fake.wal_syncs == 0);
}

BOOST_AUTO_TEST_CASE(a_failing_disk_under_a_real_store_fails_the_batch_then_recovers) {
  temp_dir dir;
  auto fs = std::make_shared<test::failing_fs>();
  store_options options;
  options.env = test::env_over(fs);
  auto store = room_store::open(dir.path(), options);
  BOOST_TEST_REQUIRE(store.ok());
  group_writer writer(batch_target::of(**store), durability::sync);
  std::promise<std::optional<rooms_error>> first, second;
  fs->failing = true;
  writer.submit(create("a"), [&](const std::optional<rooms_error>& e) { first.set_value(e); });
  const auto failed = first.get_future().get();
  BOOST_TEST_REQUIRE(failed.has_value());
  BOOST_TEST((failed->code == error_code::unavailable));
  fs->failing = false;
  writer.submit(create("a"), [&](const std::optional<rooms_error>& e) { second.set_value(e); });
  BOOST_TEST(!second.get_future().get().has_value());
  BOOST_TEST((*store)->room_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
