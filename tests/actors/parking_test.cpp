// Parked rooms (durability none): an idle room's actor stops and the directory keeps its image;
// the next call activates it with everything it had (data, members, version, idempotency keys).
// Calls that arrive while it parks are held and answered after, in order; a room with
// subscribers never parks; a parked room can be deleted.
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "protocol/value_json.hpp"

namespace rooms::test {

namespace {

constexpr std::chrono::seconds park_after{5};

edit_command incr(const std::string& room, std::optional<std::string> key = std::nullopt) {
  return incr_edit(room, "alice", std::move(key), true);
}

struct parking_fixture : actor_fixture {
  parking_fixture() {
    park_rooms_after(park_after);
    std::tie(alice, box) = spawn_probe();
    room = create_room(alice, box);
  }

  /// Two idle timeouts: the first tick sees the calls before it, the second parks the room.
  void idle() { pass_idle_timeouts(park_after); }

  json answer(room_command cmd) {
    const std::size_t before = box->size();
    call(alice, 9, std::move(cmd));
    run();
    BOOST_REQUIRE_EQUAL(box->size(), before + 1);
    return box->back().frame;
  }

  caf::actor alice;
  inbox box;
  std::string room;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(parking, parking_fixture)

BOOST_AUTO_TEST_CASE(an_idle_room_parks_and_the_next_call_finds_it_whole) {
  answer(join_command{room, "bob"});
  answer(incr(room, std::string{"k-1"}));
  idle();
  BOOST_TEST(counters->rooms.load() == 1);
  BOOST_TEST(counters->rooms_parked.load() == 1);
  const json got = answer(get_command{room});
  BOOST_TEST(got[2].is_null());
  BOOST_TEST(got[3]["version"] == 3u);
  BOOST_TEST(got[3]["data"]["n"] == 1u);
  BOOST_TEST(got[3]["members"] == json::array({"alice", "bob"}));
  BOOST_TEST(counters->rooms_parked.load() == 0);
  // The idempotency key survived the parking: the retry is answered, not applied again.
  const json retried = answer(incr(room, std::string{"k-1"}));
  BOOST_TEST(retried[3]["replayed"] == true);
  BOOST_TEST(retried[3]["version"] == 3u);
  BOOST_TEST(answer(incr(room))[3]["version"] == 4u);
}

BOOST_AUTO_TEST_CASE(calls_sent_while_the_room_parks_are_answered_in_order) {
  answer(incr(room));
  // The first tick sees the call; the second asks to park. Calls sent now reach the directory
  // while it holds the room's calls, or the room while it is about to stop.
  sched.clock().advance_time(park_after + std::chrono::seconds(1));
  run();
  sched.clock().advance_time(park_after + std::chrono::seconds(1));
  const std::size_t before = box->size();
  for (std::uint32_t i = 0; i < 5; ++i) call(alice, 100 + i, incr(room));
  run();
  BOOST_REQUIRE_EQUAL(box->size(), before + 5);
  for (std::uint32_t i = 0; i < 5; ++i) {
    const json& frame = (*box)[before + i].frame;
    BOOST_TEST(frame[1] == 100 + i);
    BOOST_TEST(frame[3]["version"] == 3u + i);
  }
  BOOST_TEST(answer(get_command{room})[3]["data"]["n"] == 6u);
}

BOOST_AUTO_TEST_CASE(a_room_with_subscribers_does_not_park) {
  answer(subscribe_command{room, std::nullopt});
  idle();
  idle();
  BOOST_TEST(counters->rooms_parked.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_parked_room_can_be_deleted_and_is_gone_after) {
  idle();
  BOOST_REQUIRE(counters->rooms_parked.load() == 1);
  const json deleted = answer(delete_command{room, "alice"});
  BOOST_TEST(deleted[3]["deleted"] == true);
  run();
  BOOST_TEST(counters->rooms.load() == 0);
  BOOST_TEST(counters->rooms_parked.load() == 0);
  BOOST_TEST(answer(get_command{room})[2]["code"] == "not_found");
}

BOOST_AUTO_TEST_CASE(a_parked_room_parks_again_after_its_next_idle_time) {
  idle();
  answer(incr(room));
  BOOST_TEST(counters->rooms_parked.load() == 0);
  idle();
  BOOST_TEST(counters->rooms_parked.load() == 1);
  BOOST_TEST(answer(get_command{room})[3]["data"]["n"] == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
