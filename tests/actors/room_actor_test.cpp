// Room and directory actors under a deterministic scheduler: creation, interleaved editors,
// subscribers seeing every event in order, subscribers that die, deletion.
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "protocol/value_json.hpp"

namespace rooms::test {

namespace {

json incr_ops() { return json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}); }

edit_command incr_as(const std::string& room, const std::string& user, bool version_only = true) {
  return incr_edit(room, user, std::nullopt, version_only);
}

struct room_fixture : actor_fixture {
  room_fixture() {
    std::tie(alice, alice_box) = spawn_probe();
    create(alice, 1, "alice");
    run();
    BOOST_REQUIRE_EQUAL(alice_box->size(), 1u);
    room = alice_box->front().frame[3]["room"].get<std::string>();
    alice_box->clear();
  }

  std::vector<std::uint64_t> event_versions(const inbox& box) const {
    std::vector<std::uint64_t> versions;
    for (const auto& r : *box)
      if (r.is_event) versions.push_back(r.frame[2][0]["version"].get<std::uint64_t>());
    return versions;
  }

  caf::actor alice;
  inbox alice_box;
  std::string room;
};

std::vector<std::uint64_t> consecutive(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> v;
  for (auto i = from; i <= to; ++i) v.push_back(i);
  return v;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(room_actor, room_fixture)

BOOST_AUTO_TEST_CASE(create_answers_the_snapshot_through_the_room_actor) {
  auto [probe, box] = spawn_probe();
  create(probe, 42, "bob", json{{"cells", json::object()}});
  run();
  BOOST_REQUIRE_EQUAL(box->size(), 1u);
  const json& frame = box->front().frame;
  BOOST_TEST(frame[0] == 1);
  BOOST_TEST(frame[1] == 42);
  BOOST_TEST(frame[2].is_null());
  BOOST_TEST(frame[3]["owner"] == "bob");
  BOOST_TEST(frame[3]["version"] == 1u);
  BOOST_TEST(frame[3]["room"].get<std::string>().size() == 36u);
  BOOST_TEST(counters->rooms.load() == 2);
}

BOOST_AUTO_TEST_CASE(calls_on_unknown_rooms_are_not_found_and_unsubscribe_succeeds) {
  call(alice, 7, get_command{"no-such-room"});
  call(alice, 8, unsubscribe_command{"no-such-room"});
  run();
  BOOST_REQUIRE_EQUAL(alice_box->size(), 2u);
  BOOST_TEST((*alice_box)[0].frame[2]["code"] == "not_found");
  BOOST_TEST((*alice_box)[0].frame[1] == 7);
  BOOST_TEST(((*alice_box)[0].reply.error == error_code::not_found));
  BOOST_TEST((*alice_box)[1].frame[3] == json({{"room", "no-such-room"}, {"subscribed", false}}));
}

BOOST_AUTO_TEST_CASE(interleaved_editors_apply_one_at_a_time_and_subscribers_see_every_event) {
  auto [bob, bob_box] = spawn_probe();
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 1, subscribe_command{room, std::nullopt});
  call(bob, 1, join_command{room, "bob"});
  run();
  for (std::uint32_t i = 0; i < 50; ++i) {
    call(alice, 100 + i, incr_as(room, "alice"));
    call(bob, 100 + i, incr_as(room, "bob"));
    // Let only some messages run between sends so mailboxes interleave unevenly.
    for (std::uint32_t step = 0; step < i % 3; ++step) sched.try_run_once();
  }
  run();
  BOOST_TEST(event_versions(watcher_box) == consecutive(2, 102));
  auto replies_in_order = [](const inbox& box) {
    std::uint64_t last = 0;
    std::size_t count = 0;
    for (const auto& r : *box) {
      if (r.is_event || r.frame[1].get<std::uint32_t>() < 100) continue;
      const auto v = r.frame[3]["version"].get<std::uint64_t>();
      if (v <= last) return false;
      last = v;
      ++count;
    }
    return count == 50;
  };
  BOOST_TEST(replies_in_order(alice_box));
  BOOST_TEST(replies_in_order(bob_box));
  call(alice, 999, get_command{room});
  run();
  BOOST_TEST(alice_box->back().frame[3]["data"]["n"] == 100u);
}

BOOST_AUTO_TEST_CASE(the_subscribe_reply_comes_before_the_events_that_follow_it) {
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 5, subscribe_command{room, std::nullopt});
  call(alice, 10, incr_as(room, "alice"));
  run();
  BOOST_REQUIRE_EQUAL(watcher_box->size(), 2u);
  const auto& reply = (*watcher_box)[0];
  BOOST_TEST(!reply.is_event);
  BOOST_TEST(*reply.reply.subscribed_room == room);
  BOOST_TEST(reply.reply.subscribed_version == 1u);
  BOOST_TEST(reply.frame[3]["snapshot"]["version"] == 1u);
  BOOST_TEST((*watcher_box)[1].is_event);
  BOOST_TEST((*watcher_box)[1].frame[1] == "event");
  BOOST_TEST((*watcher_box)[1].frame[2][0] == json({{"room", room},
                                                    {"version", 2},
                                                    {"type", "edited"},
                                                    {"user", "alice"},
                                                    {"ops", incr_ops()}}));
}

BOOST_AUTO_TEST_CASE(subscribing_twice_delivers_each_event_once) {
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 1, subscribe_command{room, std::nullopt});
  call(watcher, 2, subscribe_command{room, std::uint64_t{1}});
  call(alice, 3, incr_as(room, "alice"));
  run();
  BOOST_TEST(event_versions(watcher_box) == consecutive(2, 2));
}

BOOST_AUTO_TEST_CASE(unsubscribed_connections_get_no_more_events) {
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 1, subscribe_command{room, std::nullopt});
  call(alice, 2, incr_as(room, "alice"));
  call(watcher, 3, unsubscribe_command{room});
  call(alice, 4, incr_as(room, "alice"));
  run();
  BOOST_TEST(event_versions(watcher_box) == consecutive(2, 2));
  BOOST_TEST(watcher_box->back().frame[3] == json({{"room", room}, {"subscribed", false}}));
}

BOOST_AUTO_TEST_CASE(a_subscriber_that_dies_is_dropped_and_the_room_carries_on) {
  auto [doomed, doomed_box] = spawn_probe();
  auto [watcher, watcher_box] = spawn_probe();
  call(doomed, 1, subscribe_command{room, std::nullopt});
  call(watcher, 1, subscribe_command{room, std::nullopt});
  run();
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  run();
  call(alice, 2, incr_as(room, "alice"));
  call(alice, 3, incr_as(room, "alice"));
  run();
  BOOST_TEST(event_versions(watcher_box) == consecutive(2, 3));
  BOOST_TEST(event_versions(doomed_box).empty());
  BOOST_TEST(alice_box->size() == 2u);
}

BOOST_AUTO_TEST_CASE(notifications_apply_without_a_reply) {
  call(alice, 0, incr_as(room, "alice"), false);
  call(alice, 0, get_command{"no-such-room"}, false);
  call(alice, 9, get_command{room});
  run();
  BOOST_REQUIRE_EQUAL(alice_box->size(), 1u);
  BOOST_TEST(alice_box->front().frame[3]["version"] == 2u);
}

BOOST_AUTO_TEST_CASE(since_replays_the_events_a_subscriber_missed) {
  for (std::uint32_t i = 0; i < 5; ++i) call(alice, i, incr_as(room, "alice"));
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 1, subscribe_command{room, std::uint64_t{3}});
  call(alice, 9, incr_as(room, "alice"));
  run();
  const json& result = watcher_box->front().frame[3];
  BOOST_TEST(result["version"] == 6u);
  BOOST_REQUIRE_EQUAL(result["events"].size(), 3u);
  BOOST_TEST(result["events"][0]["version"] == 4u);
  BOOST_TEST(event_versions(watcher_box) == consecutive(7, 7));
}

BOOST_AUTO_TEST_CASE(deletion_ends_subscriptions_and_the_room) {
  auto [watcher, watcher_box] = spawn_probe();
  call(watcher, 1, subscribe_command{room, std::nullopt});
  call(alice, 2, delete_command{room, "alice"});
  call(alice, 3, get_command{room});
  run();
  BOOST_TEST(watcher_box->back().is_event);
  BOOST_TEST(watcher_box->back().event.deleted);
  BOOST_TEST(watcher_box->back().frame[2][0]["type"] == "deleted");
  BOOST_TEST((*alice_box)[0].frame[3] == json({{"room", room}, {"deleted", true}, {"version", 2}}));
  BOOST_TEST((*alice_box)[1].frame[2]["code"] == "not_found");
  call(alice, 4, join_command{room, "bob"});
  call(alice, 5, delete_command{room, "alice"});
  run();
  BOOST_TEST((*alice_box)[2].frame[2]["code"] == "not_found");
  BOOST_TEST((*alice_box)[3].frame[2]["code"] == "not_found");
  BOOST_TEST(counters->rooms.load() == 0);
}

BOOST_AUTO_TEST_CASE(calls_forwarded_before_the_directory_forgot_a_room_are_answered) {
  call(alice, 1, delete_command{room, "alice"});
  // These reach the directory before the room's "gone" note, so the directory forwards them
  // to the room actor, which must answer them before it stops.
  call(alice, 2, get_command{room});
  call(alice, 3, incr_as(room, "alice"));
  sched.try_run_once();  // directory forwards the delete
  sched.try_run_once();  // directory forwards the get
  sched.try_run_once();  // directory forwards the edit
  run();
  BOOST_REQUIRE_EQUAL(alice_box->size(), 3u);
  BOOST_TEST((*alice_box)[1].frame[2]["code"] == "not_found");
  BOOST_TEST((*alice_box)[2].frame[2]["code"] == "not_found");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
