// Direct calls (docs/architecture.md, "Direct calls"): a room grants a gateway of its node
// direct calls in a reply; the gateway calls the room actor straight only once every call it
// sent through the directory was answered; a room that parks, hibernates or is deleted first
// takes every grant back, so a direct call sent before the revocation was answered is handled
// by the room and none can arrive after it stops.
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "protocol/value_json.hpp"
#include "tests/actors/gateway_fixture.hpp"

namespace rooms::test {

namespace {

constexpr std::chrono::seconds park_after{5};

// What a gateway stand-in saw: replies (with their grants) and revocations.
struct gateway_log {
  std::vector<call_reply> replies;
  std::vector<std::string> revoked;
  /// Sent straight to the room when a revocation arrives, before it is answered: the last
  /// direct call of a gateway that had not heard of the revocation yet.
  std::optional<room_command> call_on_revoke;
  caf::actor room;
};

caf::behavior gateway_stand_in(caf::event_based_actor* self, std::shared_ptr<gateway_log> log) {
  return {
      [log](reply_atom, const call_reply& reply) { log->replies.push_back(reply); },
      [](event_atom, const room_event&) {},
      [self, log](revoke_atom, const std::string& room) {
        log->revoked.push_back(room);
        if (log->call_on_revoke) {
          self->send(log->room, room_call_atom::value,
                     room_call{caller{caf::actor_cast<caf::actor>(self), 77, true, true},
                               std::move(*log->call_on_revoke)});
          log->call_on_revoke.reset();
        }
        return revoke_atom::value;
      },
  };
}

struct direct_fixture : actor_fixture {
  direct_fixture() {
    park_rooms_after(park_after);
    auto [owner, box] = spawn_probe();
    room = create_room(owner, box);
    gateway = sys.spawn(gateway_stand_in, log);
  }

  /// A call from the stand-in through the directory; returns its reply.
  call_reply routed(room_command cmd) {
    const std::size_t before = log->replies.size();
    caf::anon_send(directory, room_call_atom::value, room_call{caller{gateway, 5, true}, cmd});
    run();
    BOOST_REQUIRE_EQUAL(log->replies.size(), before + 1);
    return log->replies.back();
  }

  /// Two idle timeouts: the first tick sees the calls before it, the second parks the room.
  void idle() { pass_idle_timeouts(park_after); }

  json frame(const call_reply& reply) { return decode_frame(reply.frame); }

  std::shared_ptr<gateway_log> log = std::make_shared<gateway_log>();
  caf::actor gateway;
  std::string room;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(direct_calls, direct_fixture)

BOOST_AUTO_TEST_CASE(a_gateway_of_the_node_gets_one_grant_and_direct_calls_get_none) {
  const call_reply first = routed(get_command{room});
  BOOST_REQUIRE(first.grant);
  BOOST_TEST(!routed(get_command{room}).grant);  // it holds one already
  log->room = first.grant;
  caf::anon_send(first.grant, room_call_atom::value,
                 room_call{caller{gateway, 6, true, true}, incr_edit(room, "alice", {}, true)});
  run();
  BOOST_REQUIRE_EQUAL(log->replies.size(), 3u);
  BOOST_TEST(!log->replies.back().grant);
  BOOST_TEST(frame(log->replies.back())[3]["version"] == 2u);
}

BOOST_AUTO_TEST_CASE(an_idle_room_takes_its_grants_back_before_it_parks) {
  const call_reply first = routed(get_command{room});
  BOOST_REQUIRE(first.grant);
  log->room = first.grant;
  // The gateway's last direct call, sent before it answers the revocation, is applied before
  // the room parks: the parked image has it.
  log->call_on_revoke = incr_edit(room, "alice", {}, true);
  idle();
  BOOST_TEST(log->revoked == std::vector<std::string>{room});
  BOOST_REQUIRE_EQUAL(log->replies.size(), 2u);
  BOOST_TEST(frame(log->replies.back())[3]["version"] == 2u);
  BOOST_REQUIRE_EQUAL(counters->rooms_parked.load(), 1);
  const call_reply after = routed(get_command{room});
  BOOST_TEST(frame(after)[3]["data"]["n"] == 1u);
  BOOST_TEST(frame(after)[3]["version"] == 2u);
  BOOST_TEST(bool{after.grant});  // the activated room grants anew
  BOOST_TEST((after.grant != first.grant));
}

BOOST_AUTO_TEST_CASE(a_deleted_room_stops_only_after_its_grants_are_back) {
  const call_reply first = routed(get_command{room});
  BOOST_REQUIRE(first.grant);
  log->room = first.grant;
  log->call_on_revoke = get_command{room};
  auto [owner, box] = spawn_probe();
  call(owner, 2, delete_command{room, "alice"});
  run();
  BOOST_TEST(box->back().frame[3]["deleted"] == true);
  BOOST_TEST(log->revoked == std::vector<std::string>{room});
  // The direct call that crossed the revocation is answered, as for a deleted room.
  BOOST_REQUIRE_EQUAL(log->replies.size(), 2u);
  BOOST_TEST(frame(log->replies.back())[2]["code"] == "not_found");
  BOOST_TEST(counters->rooms.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_grant_held_by_a_stopped_gateway_does_not_keep_the_room) {
  BOOST_REQUIRE(routed(get_command{room}).grant);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  run();
  idle();
  idle();
  BOOST_TEST(counters->rooms_parked.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

// The gateway's side: which calls go straight to a room actor.
struct gateway_routes_fixture : gateway_fixture {
  gateway_routes_fixture() : room_actor(actors.spawn_probe().first) {}
  // The actor system waits for every handle to its actors: drop them before it goes.
  ~gateway_routes_fixture() {
    state.reset();
    router.direct_to.clear();
    room_actor = nullptr;
  }

  void get(std::uint32_t msgid) { send(msgid, "get", {{"room", room_a}}); }

  /// Answers router.calls[index], granting direct calls when `grant`.
  void reply(std::size_t index, bool grant) {
    call_reply r;
    r.msgid = router.calls[index].from.msgid;
    r.frame = encode_response(r.msgid, json::object());
    if (grant) r.grant = room_actor;
    gateway().on_reply(r);
  }

  bool direct(std::size_t index) const { return bool{router.direct_to.at(index)}; }

  actor_fixture actors;
  caf::actor room_actor;
};

BOOST_FIXTURE_TEST_SUITE(gateway_routes, gateway_routes_fixture)

BOOST_AUTO_TEST_CASE(direct_calls_wait_until_every_call_through_the_directory_is_answered) {
  get(1);
  get(2);
  reply(0, true);
  get(3);  // call 2 may still be on its way through the directory
  BOOST_TEST(!direct(2));
  reply(1, false);
  get(4);  // and call 3
  BOOST_TEST(!direct(3));
  reply(2, false);
  reply(3, false);
  get(5);
  BOOST_TEST(direct(4));
  BOOST_TEST(router.calls[4].from.direct);
  BOOST_TEST((router.direct_to[4] == room_actor));
  BOOST_TEST(gateway().direct_rooms() == 1u);
  reply(4, false);
  BOOST_TEST(link.in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(a_notification_through_the_directory_holds_direct_calls_back) {
  get(1);
  notify("get", {{"room", room_a}});
  reply(0, true);
  get(2);  // the notification may not have reached the room yet
  BOOST_TEST(!direct(2));
  reply(2, false);
  get(3);
  BOOST_TEST(direct(3));
}

BOOST_AUTO_TEST_CASE(a_revoked_grant_sends_calls_through_the_directory_again) {
  get(1);
  reply(0, true);
  get(2);
  BOOST_TEST(direct(1));
  // Only the room that granted can take its grant back.
  const caf::actor other = actors.spawn_probe().first;
  gateway().on_revoke(room_a, other.address());
  get(3);
  BOOST_TEST(direct(2));
  gateway().on_revoke(room_a, room_actor.address());
  BOOST_TEST(gateway().direct_rooms() == 0u);
  get(4);
  BOOST_TEST(!direct(3));
  // Answers to direct calls grant nothing: a room grants through the directory only.
  reply(1, false);
  reply(2, false);
  reply(3, true);
  get(5);
  BOOST_TEST(direct(4));
}

BOOST_AUTO_TEST_CASE(a_lagging_subscriber_unsubscribes_the_way_its_calls_go) {
  link.event_budget = 0;
  send(1, "subscribe", {{"room", room_a}});
  call_reply r;
  r.msgid = 1;
  r.frame = encode_response(1, {{"room", room_a}, {"version", 1}});
  r.subscribed_room = room_a;
  r.subscribed_version = 1;
  r.grant = room_actor;
  gateway().on_reply(r);
  event(2);  // refused: the subscriber lags and unsubscribes
  BOOST_REQUIRE_EQUAL(router.calls.size(), 2u);
  BOOST_TEST(std::holds_alternative<unsubscribe_command>(router.calls[1].command));
  BOOST_TEST(direct(1));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
