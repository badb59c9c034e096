// Room actors with storage: answers wait until changes are stored, a failed write answers
// `unavailable` and changes nothing, rooms come back after a restart, idle rooms hibernate and
// wake up on the next call, deleted rooms stay deleted.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "../storage/storage_test_util.hpp"
#include "actor_fixture.hpp"
#include "actors/storage/group_writer.hpp"
#include "protocol/value_json.hpp"

namespace rooms::test {

namespace {

edit_command alice_incr(const std::string& room, std::optional<std::string> key = std::nullopt) {
  return incr_edit(room, "alice", std::move(key), false);
}

// A write path that the test can hold shut or make fail, in front of a real store.
struct write_gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = true;
  bool fail = false;

  void set(bool is_open, bool fails) {
    std::lock_guard<std::mutex> guard{mutex};
    open = is_open;
    fail = fails;
    changed.notify_all();
  }
};

struct persistence_fixture : actor_fixture {
  temp_dir dir;
  std::shared_ptr<room_store> store;
  std::shared_ptr<write_gate> gate = std::make_shared<write_gate>();
  caf::actor durable_directory;
  caf::actor probe;
  inbox box;

  persistence_fixture() {
    std::tie(probe, box) = spawn_probe();
    start_node();
  }

  ~persistence_fixture() { stop_node(); }

  void start_node() {
    auto opened = room_store::open(dir.path());
    BOOST_REQUIRE(opened.ok());
    store = std::move(*opened);
    auto target = batch_target::of(*store);
    auto real_write = target.write;
    target.write = [gate = gate, real_write](const std::vector<room_write>& batch, bool sync) {
      std::unique_lock<std::mutex> lock{gate->mutex};
      gate->changed.wait(lock, [&] { return gate->open; });
      if (gate->fail)
        return std::optional<rooms_error>{rooms_error{error_code::unavailable, "disk full"}};
      lock.unlock();
      return real_write(batch, sync);
    };
    auto persistence = std::make_shared<room_persistence>();
    persistence->store = store;
    persistence->writer = std::make_shared<group_writer>(std::move(target), durability::sync);
    persistence->folding = fold_policy{3, 1 << 30};
    persistence->idle_timeout = std::chrono::seconds(60);
    persistence->reader = std::make_shared<store_reader>(store);
    writer = persistence->writer;
    reader = persistence->reader;
    durable_directory = spawn_directory(sys, {room_limits, counters, persistence});
  }

  void stop_node() {
    // The directory takes its room actors with it, as a process exit would.
    caf::anon_send_exit(durable_directory, caf::exit_reason::user_shutdown);
    run();
    gate->set(true, false);
    writer->stop();
    writer.reset();
    reader->stop();
    reader.reset();
    // Room actors may still hold the persistence; the store closes when the last owner goes.
    store.reset();
  }

  void restart() {
    stop_node();
    start_node();
  }

  /// Runs messages until `box` holds `n` entries, waiting for the writer thread in between.
  void run_until(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (box->size() < n && std::chrono::steady_clock::now() < deadline) {
      run();
      if (box->size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    run();
    BOOST_REQUIRE_GE(box->size(), n);
  }

  std::string create_room() {
    caf::anon_send(durable_directory, create_atom::value,
                   create_call{caller{probe, 1, true}, create_command{"alice", value::map()}});
    run_until(box->size() + 1);
    return box->back().frame[3]["room"].get<std::string>();
  }

  void send(std::uint32_t msgid, room_command cmd) {
    caf::anon_send(durable_directory, room_call_atom::value,
                   room_call{caller{probe, msgid, true}, std::move(cmd)});
  }

  json call(room_command cmd) {
    const std::size_t before = box->size();
    send(77, std::move(cmd));
    run_until(before + 1);
    return box->back().frame;
  }

  std::shared_ptr<group_writer> writer;
  std::shared_ptr<store_reader> reader;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(persistence, persistence_fixture)

BOOST_AUTO_TEST_CASE(an_edit_is_answered_only_once_it_is_stored) {
  const std::string room = create_room();
  gate->set(false, false);
  send(5, alice_incr(room));
  for (int i = 0; i < 20; ++i) {
    run();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const std::size_t before = box->size();
  BOOST_TEST(box->back().frame[1] == 1);  // still only the create answer
  gate->set(true, false);
  run_until(before + 1);
  BOOST_TEST(box->back().frame[1] == 5);
  BOOST_TEST(box->back().frame[3]["version"] == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_answers_unavailable_and_the_room_stays_as_stored) {
  const std::string room = create_room();
  call(alice_incr(room));
  gate->set(true, true);
  json failed = call(alice_incr(room));
  BOOST_TEST(failed[2]["code"] == "unavailable");
  gate->set(true, false);
  json after = call(get_command{room});
  BOOST_TEST(after[3]["version"] == 2u);
  BOOST_TEST(after[3]["data"]["n"] == 1u);
  json next = call(alice_incr(room));
  BOOST_TEST(next[3]["version"] == 3u);
}

BOOST_AUTO_TEST_CASE(acknowledged_changes_come_back_after_a_restart) {
  const std::string room = create_room();
  call(join_command{room, "bob"});
  for (int i = 0; i < 5; ++i) call(alice_incr(room));
  call(alice_incr(room, std::string{"k1"}));
  json before = call(get_command{room});
  restart();
  json after = call(get_command{room});
  BOOST_TEST(after[3] == before[3]);
  json replay = call(alice_incr(room, std::string{"k1"}));
  BOOST_TEST(replay[3] == json({{"room", room}, {"version", 8}, {"replayed", true}}));
  json since = call(subscribe_command{room, std::uint64_t{0}});
  BOOST_REQUIRE_EQUAL(since[3]["events"].size(), 7u);
  BOOST_TEST(since[3]["events"][0]["type"] == "joined");
}

BOOST_AUTO_TEST_CASE(deleted_rooms_stay_deleted_after_a_restart) {
  const std::string room = create_room();
  json deleted = call(delete_command{room, "alice"});
  BOOST_TEST(deleted[3]["deleted"] == true);
  restart();
  BOOST_TEST(call(get_command{room})[2]["code"] == "not_found");
  BOOST_TEST(!*store->exists(room));
}

BOOST_AUTO_TEST_CASE(an_idle_room_hibernates_and_wakes_up_on_the_next_call) {
  const std::string room = create_room();
  call(alice_incr(room));
  BOOST_TEST(counters->rooms.load() == 1);
  // Two ticks: the first sees the calls above, the second finds the room idle.
  sched.clock().advance_time(std::chrono::seconds(61));
  run();
  sched.clock().advance_time(std::chrono::seconds(61));
  run();
  BOOST_TEST(counters->rooms.load() == 0);
  json woken = call(get_command{room});
  BOOST_TEST(woken[3]["data"]["n"] == 1u);
  BOOST_TEST(counters->rooms.load() == 1);
}

BOOST_AUTO_TEST_CASE(calls_to_a_stored_room_wait_for_its_read_and_keep_their_order) {
  const std::string room = create_room();
  call(alice_incr(room));
  restart();
  // Sent together: the first asks the reader, the others wait in the directory meanwhile.
  const std::size_t before = box->size();
  for (std::uint32_t id = 10; id < 14; ++id) send(id, alice_incr(room));
  send(14, get_command{room});
  send(15, get_command{"00000000-0000-4000-8000-000000000000"});  // not stored
  run_until(before + 6);
  std::vector<std::pair<std::uint32_t, json>> stored_room_answers;
  for (std::size_t i = before; i < box->size(); ++i)
    if (box->at(i).frame[1] != 15)
      stored_room_answers.emplace_back(box->at(i).frame[1], box->at(i).frame[3]);
  BOOST_REQUIRE_EQUAL(stored_room_answers.size(), 5u);
  for (std::uint32_t k = 0; k < 4; ++k) {
    BOOST_TEST(stored_room_answers[k].first == 10 + k);
    BOOST_TEST(stored_room_answers[k].second["version"] == 3u + k);
  }
  BOOST_TEST(stored_room_answers[4].second["data"]["n"] == 5u);
  const auto missing = std::find_if(box->begin() + static_cast<std::ptrdiff_t>(before), box->end(),
                                    [](const auto& entry) { return entry.frame[1] == 15; });
  BOOST_REQUIRE(missing != box->end());
  BOOST_TEST(missing->frame[2]["code"] == "not_found");
  BOOST_TEST(reader->reads() >= 2u);
}

BOOST_AUTO_TEST_CASE(a_room_with_subscribers_does_not_hibernate) {
  const std::string room = create_room();
  call(subscribe_command{room, std::nullopt});
  for (int i = 0; i < 3; ++i) {
    sched.clock().advance_time(std::chrono::seconds(61));
    run();
  }
  BOOST_TEST(counters->rooms.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
