// The room actor's rules driven directly (actors/room/room_actor_state.hpp): what each message
// makes the room do, in order. No actor runs: the fixture's system only mints the handles of
// gateways, which the rules compare and address but never call.
#include "actors/room/room_actor_state.hpp"

#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "protocol/room_id.hpp"

namespace rooms::test {

namespace {

namespace fx = room_effects;

struct rules_fixture : actor_fixture {
  room_actor_state::effects out;
  caf::actor gateway_a = spawn_probe().first;
  caf::actor gateway_b = spawn_probe().first;

  std::shared_ptr<const room_persistence> durable(std::size_t fold_every = 1000) const {
    auto p = std::make_shared<room_persistence>();
    p->folding = fold_policy{fold_every, 1 << 30};
    p->idle_timeout = std::chrono::seconds(60);
    return p;
  }

  room_state new_room() const {
    auto state =
        room_state::create(new_room_id(), create_command{"alice", value::map()}, room_limits);
    BOOST_REQUIRE(state.ok());
    return std::move(*state);
  }

  /// A room started with `persistence` (durable if set), its creation stored.
  room_actor_state started(std::shared_ptr<const room_persistence> persistence,
                           std::chrono::milliseconds park_after = {}) {
    room_actor_state rules{sys.node()};
    const bool stores = persistence != nullptr;
    rules.start_created(new_room(), std::move(persistence), park_after, out);
    if (stores) {
      auto effects = take();
      BOOST_REQUIRE(std::holds_alternative<fx::store>(effects.at(0)));
      rules.stored(write_outcome{}, out);
    }
    take();
    return rules;
  }

  room_call call(const caf::actor& gateway, std::uint32_t msgid, room_command cmd,
                 bool direct = false) const {
    return room_call{caller{gateway, msgid, true, direct}, std::move(cmd)};
  }

  room_actor_state::effects take() { return std::exchange(out, {}); }

  template <class Effect>
  std::vector<Effect> all(const room_actor_state::effects& effects) {
    std::vector<Effect> found;
    for (const auto& e : effects)
      if (std::holds_alternative<Effect>(e)) found.push_back(std::get<Effect>(e));
    return found;
  }
};

json frame_of(const fx::reply& reply) { return decode_frame(reply.answer.frame); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(room_rules, rules_fixture)

BOOST_AUTO_TEST_CASE(a_durable_room_answers_only_once_the_change_is_stored) {
  auto rules = started(durable());
  auto c = call(gateway_a, 5, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(c, out);
  auto effects = take();
  BOOST_TEST(all<fx::reply>(effects).empty());  // held until stored
  BOOST_REQUIRE_EQUAL(all<fx::store>(effects).size(), 1u);
  BOOST_TEST(all<fx::store>(effects)[0].write.events.size() == 1u);
  // A second edit meanwhile waits for the write in flight: no second store yet.
  auto c2 = call(gateway_a, 6, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(c2, out);
  BOOST_TEST(all<fx::store>(take()).empty());
  rules.stored(write_outcome{}, out);
  effects = take();
  auto replies = all<fx::reply>(effects);
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_TEST(frame_of(replies[0])[1] == 5);
  BOOST_TEST(frame_of(replies[0])[3]["version"] == 2u);
  BOOST_REQUIRE_EQUAL(all<fx::store>(effects).size(), 1u);  // the second edit's write
  rules.stored(write_outcome{}, out);
  replies = all<fx::reply>(take());
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_TEST(frame_of(replies[0])[3]["version"] == 3u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_fails_what_waited_and_holds_calls_until_the_reload) {
  auto rules = started(durable());
  auto c = call(gateway_a, 5, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(c, out);
  take();
  rules.stored(write_outcome{rooms_error{error_code::unavailable, "disk full"}}, out);
  auto effects = take();
  auto replies = all<fx::reply>(effects);
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_TEST(frame_of(replies[0])[2]["code"] == "unavailable");
  BOOST_REQUIRE_EQUAL(all<fx::load>(effects).size(), 1u);
  const auto reload = all<fx::load>(effects)[0];
  // Calls during the reload wait, in order.
  auto get1 = call(gateway_a, 6, get_command{rules.id()});
  auto get2 = call(gateway_a, 7, get_command{rules.id()});
  rules.handle(get1, out);
  rules.handle(get2, out);
  BOOST_TEST(take().empty());
  // The store still has the room as created (version 1).
  room_state stored_state = new_room();
  stored_room as_stored{stored_state.image(), {}};
  as_stored.image.id = rules.id();
  rules.reloaded(
      {rules.id(), reload.ticket + 1,
       std::make_shared<result<std::optional<stored_room>>>(std::optional<stored_room>{as_stored})},
      out);
  BOOST_TEST(take().empty());  // a stale ticket
  rules.reloaded(
      {rules.id(), reload.ticket,
       std::make_shared<result<std::optional<stored_room>>>(std::optional<stored_room>{as_stored})},
      out);
  replies = all<fx::reply>(take());
  BOOST_REQUIRE_EQUAL(replies.size(), 2u);
  BOOST_TEST(frame_of(replies[0])[1] == 6);
  BOOST_TEST(frame_of(replies[0])[3]["version"] == 1u);
  BOOST_TEST(frame_of(replies[1])[1] == 7);
}

BOOST_AUTO_TEST_CASE(subscribers_get_each_event_and_leave_with_unsubscribe) {
  auto rules = started(nullptr);
  auto sub = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(all<fx::monitor>(effects).size(), 1u);
  BOOST_TEST((all<fx::monitor>(effects)[0].who == gateway_a));
  auto replies = all<fx::reply>(effects);
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_TEST(replies[0].holder);
  BOOST_TEST(*replies[0].answer.subscribed_room == rules.id());
  BOOST_TEST(rules.subscribers() == 1u);

  auto edit = call(gateway_b, 2, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit, out);
  effects = take();
  auto events = all<fx::broadcast>(effects);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_REQUIRE_EQUAL(events[0].to->size(), 1u);
  BOOST_TEST(((*events[0].to)[0].who == gateway_a));
  // The reply to the editor comes before the event.
  BOOST_TEST(std::holds_alternative<fx::reply>(effects.front()));

  auto unsub = call(gateway_a, 3, unsubscribe_command{rules.id()});
  rules.handle(unsub, out);
  effects = take();
  BOOST_TEST(all<fx::demonitor>(effects).size() == 1u);
  BOOST_TEST(rules.subscribers() == 0u);
  auto edit2 = call(gateway_b, 4, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit2, out);
  BOOST_TEST(all<fx::broadcast>(take()).empty());
}

BOOST_AUTO_TEST_CASE(patches_go_only_to_the_subscriptions_that_asked) {
  auto rules = started(durable());
  auto frame_of_event = [](const caf::message& m) {
    return decode_frame(m.get_as<room_event>(1).frame)[2][0];
  };
  auto plain = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(plain, out);
  take();
  auto edit = call(gateway_a, 2, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit, out);
  rules.stored(write_outcome{}, out);
  auto events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].patch_event.empty());  // nobody asked: no patch frame is made
  BOOST_TEST(!frame_of_event(events[0].event).contains("patch"));

  // gateway_b subscribes with patches while an edit waits for its write: it gets that edit's
  // patch, since it follows the room by the time the event is released.
  auto edit2 = call(gateway_a, 3, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit2, out);
  auto patched = call(gateway_b, 4, subscribe_command{rules.id(), std::nullopt, true});
  rules.handle(patched, out);
  auto edit3 = call(gateway_a, 5, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit3, out);
  take();
  rules.stored(write_outcome{}, out);
  rules.stored(write_outcome{}, out);
  events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[0].to->size() == 1u);  // version 3: before gateway_b's subscription
  BOOST_REQUIRE_EQUAL(events[1].to->size(), 2u);
  BOOST_TEST((*events[1].to)[1].patch);
  BOOST_REQUIRE(!events[1].patch_event.empty());
  const json with_patch = frame_of_event(events[1].patch_event);
  BOOST_TEST(with_patch["version"] == 4u);
  BOOST_TEST(with_patch["patch"][0]["op"] == "replace");
  BOOST_TEST(!frame_of_event(events[1].event).contains("patch"));

  // Subscribing again without patches turns them off.
  auto again = call(gateway_b, 6, subscribe_command{rules.id(), std::nullopt, false});
  rules.handle(again, out);
  take();
  auto edit4 = call(gateway_a, 7, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit4, out);
  rules.stored(write_outcome{}, out);
  events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].patch_event.empty());
  BOOST_TEST(rules.subscribers() == 2u);
}

BOOST_AUTO_TEST_CASE(without_plain_subscribers_no_plain_frame_is_made) {
  auto rules = started(nullptr);
  auto patched = call(gateway_b, 1, subscribe_command{rules.id(), std::nullopt, true});
  rules.handle(patched, out);
  take();
  auto edit = call(gateway_a, 2, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit, out);
  auto events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].event.empty());
  BOOST_TEST(!events[0].patch_event.empty());
  // Events without a patch (a join) go out plain to everyone.
  auto join = call(gateway_a, 3, join_command{rules.id(), "bob"});
  rules.handle(join, out);
  events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(!events[0].event.empty());
  BOOST_TEST(events[0].patch_event.empty());
}

BOOST_AUTO_TEST_CASE(an_event_goes_to_the_subscribers_of_the_moment_it_was_released) {
  auto rules = started(durable());
  auto sub = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  take();
  auto edit = call(gateway_a, 2, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit, out);
  // gateway_b subscribes while the edit is not stored: it follows from version 2 on.
  auto late = call(gateway_b, 3, subscribe_command{rules.id(), std::nullopt});
  rules.handle(late, out);
  take();
  rules.stored(write_outcome{}, out);
  auto effects = take();
  auto events = all<fx::broadcast>(effects);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].to->size() == 1u);  // not gateway_b: it was not subscribed yet
  BOOST_TEST(rules.subscribers() == 2u);
}

BOOST_AUTO_TEST_CASE(a_gateway_of_this_node_gets_one_grant_through_the_directory) {
  auto rules = started(nullptr);
  auto first = call(gateway_a, 1, get_command{rules.id()});
  rules.handle(first, out);
  BOOST_TEST(all<fx::reply>(take())[0].grant);
  auto second = call(gateway_a, 2, get_command{rules.id()});
  rules.handle(second, out);
  BOOST_TEST(!all<fx::reply>(take())[0].grant);  // it holds one
  auto direct = call(gateway_b, 3, get_command{rules.id()}, true);
  rules.handle(direct, out);
  BOOST_TEST(!all<fx::reply>(take())[0].grant);  // came straight: no grant to give
  // A room on another node than the gateways.
  auto other_node = caf::make_node_id(4242, "0123456789abcdef0123456789abcdef01234567");
  BOOST_REQUIRE(other_node);
  BOOST_REQUIRE((*other_node != sys.node()));
  room_actor_state elsewhere{*other_node};
  elsewhere.start_created(new_room(), nullptr, {}, out);
  take();
  auto remote = call(gateway_a, 4, get_command{elsewhere.id()});
  elsewhere.handle(remote, out);
  BOOST_TEST(!all<fx::reply>(take())[0].grant);
}

BOOST_AUTO_TEST_CASE(an_idle_room_revokes_its_grants_then_parks_with_its_image) {
  auto rules = started(nullptr, std::chrono::milliseconds{20});
  auto c = call(gateway_a, 1, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(c, out);
  take();
  rules.idle_tick(out);  // saw the call
  BOOST_TEST(all<fx::tell_directory>(take()).empty());
  rules.idle_tick(out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(all<fx::tell_directory>(effects).size(), 1u);
  BOOST_TEST(all<fx::tell_directory>(effects)[0].kind == fx::tell_directory::hibernate);
  BOOST_REQUIRE_EQUAL(all<fx::revoke>(effects).size(), 1u);
  BOOST_TEST((all<fx::revoke>(effects)[0].gateway == gateway_a));
  BOOST_TEST(all<fx::tick>(effects).size() == 1u);
  // The directory agrees before the gateway gave the grant back: the room waits.
  rules.hibernation_granted(out);
  BOOST_TEST(take().empty());
  rules.revoked(out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  const auto& parked = std::get<fx::tell_directory>(effects[0]);
  BOOST_TEST(parked.kind == fx::tell_directory::parked);
  BOOST_TEST(!parked.image.empty());
  BOOST_TEST(std::holds_alternative<fx::stop>(effects[1]));
}

BOOST_AUTO_TEST_CASE(a_room_made_busy_by_a_direct_call_while_hibernating_stays) {
  auto rules = started(nullptr, std::chrono::milliseconds{20});
  rules.idle_tick(out);
  take();
  // A subscription came straight from a gateway before the directory agreed.
  auto sub = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt}, true);
  rules.handle(sub, out);
  take();
  rules.hibernation_granted(out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  BOOST_TEST(std::get<fx::tell_directory>(effects[0]).kind == fx::tell_directory::reinstate);
}

BOOST_AUTO_TEST_CASE(a_deleted_room_drops_its_subscribers_and_stops_once_forgotten) {
  auto rules = started(nullptr);
  auto sub = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  take();
  auto del = call(gateway_b, 2, delete_command{rules.id(), "alice"});
  rules.handle(del, out);
  auto effects = take();
  // The answer, the last event to the subscriber, then the goodbye to the directory; gateway_a
  // holds a grant (from its subscribe), which is revoked; gateway_b got none with the answer
  // that deleted the room.
  BOOST_TEST(frame_of(all<fx::reply>(effects)[0])[3]["deleted"] == true);
  BOOST_TEST(all<fx::broadcast>(effects).size() == 1u);
  BOOST_TEST(all<fx::demonitor>(effects).size() == 1u);
  BOOST_REQUIRE_EQUAL(all<fx::tell_directory>(effects).size(), 1u);
  BOOST_TEST(all<fx::tell_directory>(effects)[0].kind == fx::tell_directory::gone);
  const std::size_t revocations = all<fx::revoke>(effects).size();
  BOOST_TEST(revocations == 1u);
  BOOST_TEST(!all<fx::reply>(effects)[0].grant);
  rules.directory_forgot(out);
  BOOST_TEST(take().empty());  // grants still out
  for (std::size_t i = 0; i < revocations; ++i) rules.revoked(out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  BOOST_TEST(std::holds_alternative<fx::stop>(effects[0]));
}

BOOST_AUTO_TEST_CASE(a_stored_room_that_is_gone_answers_not_found_and_asks_to_be_forgotten) {
  room_actor_state rules{sys.node()};
  result<std::optional<stored_room>> nothing{std::optional<stored_room>{}};
  rules.start_stored(new_room_id(), room_limits, durable(), nothing, out);
  auto effects = take();
  BOOST_REQUIRE_GE(effects.size(), 1u);
  BOOST_TEST(std::get<fx::tell_directory>(effects[0]).kind == fx::tell_directory::gone);
  auto c = call(gateway_a, 1, get_command{rules.id()});
  rules.handle(c, out);
  BOOST_TEST(frame_of(all<fx::reply>(take())[0])[2]["code"] == "not_found");
}

BOOST_AUTO_TEST_CASE(presence_is_announced_through_the_outbox_in_order_with_events) {
  auto rules = started(durable());
  auto sub = call(gateway_a, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  take();
  rules.stored(write_outcome{}, out);  // nothing waits: the subscription is answered already
  take();
  const auto now = room_actor_state::clock::time_point{} + std::chrono::hours(1);
  auto edit = call(gateway_b, 2, incr_edit(rules.id(), "alice", std::nullopt, false));
  rules.handle(edit, out, now);
  presence_command p{rules.id(), "alice", "s", value::map(), std::nullopt};
  auto set = call(gateway_b, 3, p);
  rules.handle(set, out, now);
  // Both wait for the edit to be stored, then leave in the order they were made.
  BOOST_TEST(all<fx::broadcast>(take()).empty());
  rules.stored(write_outcome{}, out);
  auto effects = take();
  auto events = all<fx::broadcast>(effects);
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(!events[0].event.get_as<room_event>(1).presence);
  const auto& note = events[1].event.get_as<room_event>(1);
  BOOST_TEST(note.presence);
  BOOST_TEST(decode_frame(note.frame)[1] == "presence");
  BOOST_TEST(decode_frame(note.frame)[2][0]["state"] == "entered");
  auto replies = all<fx::reply>(effects);
  BOOST_REQUIRE_EQUAL(replies.size(), 2u);
  BOOST_TEST(frame_of(replies[1])[3]["present"] == true);
}

BOOST_AUTO_TEST_CASE(presence_needs_a_member_and_a_room_with_entries_does_not_park) {
  auto rules = started(nullptr, std::chrono::milliseconds{20});
  presence_command stranger{rules.id(), "mallory", "", value::map(), std::nullopt};
  auto bad = call(gateway_a, 1, stranger);
  rules.handle(bad, out);
  BOOST_TEST(frame_of(all<fx::reply>(take())[0])[2]["code"] == "not_member");
  presence_command p{rules.id(), "alice", "", value::map(), std::nullopt};
  auto set = call(gateway_a, 2, p);
  rules.handle(set, out);
  auto effects = take();
  BOOST_TEST(all<fx::monitor>(effects).size() == 1u);  // its owner is watched
  rules.idle_tick(out);
  rules.idle_tick(out);
  BOOST_TEST(all<fx::tell_directory>(take()).empty());  // no hibernation request
}

BOOST_AUTO_TEST_CASE(a_ttl_entry_leaves_at_its_tick_and_a_stale_tick_is_ignored) {
  auto rules = started(nullptr);
  auto sub = call(gateway_b, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  take();
  const auto t0 = room_actor_state::clock::time_point{} + std::chrono::hours(1);
  presence_command p{rules.id(), "alice", "", value::map(), 5000};
  auto set = call(gateway_a, 2, p);
  rules.handle(set, out, t0);
  auto ticks = all<fx::presence_tick>(take());
  BOOST_REQUIRE_EQUAL(ticks.size(), 1u);
  BOOST_TEST((ticks[0].at == t0 + std::chrono::seconds(5)));
  // Renewed with a shorter TTL: an earlier tick replaces the first.
  p.ttl_ms = 2000;
  auto renew = call(gateway_a, 3, p);
  rules.handle(renew, out, t0);
  ticks = all<fx::presence_tick>(take());
  BOOST_REQUIRE_EQUAL(ticks.size(), 1u);
  const auto early = ticks[0].at;
  rules.presence_tick(t0 + std::chrono::seconds(5), out, t0 + std::chrono::seconds(5));
  BOOST_TEST(all<fx::broadcast>(take()).empty());  // the replaced tick
  // The asked-for tick, even if it fires a little early, counts as its time.
  rules.presence_tick(early, out, early - std::chrono::microseconds(10));
  auto events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(decode_frame(events[0].event.get_as<room_event>(1).frame)[2][0]["reason"] ==
             "expired");
  BOOST_TEST(rules.presence().empty());
}

BOOST_AUTO_TEST_CASE(a_tick_that_finds_its_entry_renewed_asks_for_the_next_deadline) {
  auto rules = started(nullptr);
  const auto t0 = room_actor_state::clock::time_point{} + std::chrono::hours(1);
  using std::chrono::seconds;
  presence_command a{rules.id(), "alice", "a", value::map(), 2000};
  presence_command b{rules.id(), "alice", "b", value::map(), 4000};
  auto set_a = call(gateway_a, 1, a);
  rules.handle(set_a, out, t0);
  auto set_b = call(gateway_a, 2, b);
  rules.handle(set_b, out, t0);
  auto ticks = all<fx::presence_tick>(take());
  BOOST_REQUIRE_EQUAL(ticks.size(), 1u);  // b's deadline is after the tick already asked for
  BOOST_TEST((ticks[0].at == t0 + seconds(2)));
  // a is renewed: its deadline moves to t0 + 3 s, later than the pending tick, so no new one.
  auto renew = call(gateway_a, 3, a);
  rules.handle(renew, out, t0 + seconds(1));
  BOOST_TEST(all<fx::presence_tick>(take()).empty());
  // The tick at t0 + 2 s ends nothing and asks for the earliest deadline of all: a's.
  rules.presence_tick(t0 + seconds(2), out, t0 + seconds(2));
  auto effects = take();
  BOOST_TEST(rules.presence().size() == 2u);
  ticks = all<fx::presence_tick>(effects);
  BOOST_REQUIRE_EQUAL(ticks.size(), 1u);
  BOOST_TEST((ticks[0].at == t0 + seconds(3)));
  rules.presence_tick(t0 + seconds(3), out, t0 + seconds(3));
  ticks = all<fx::presence_tick>(take());
  BOOST_TEST(rules.presence().size() == 1u);  // a left; b's tick is next
  BOOST_REQUIRE_EQUAL(ticks.size(), 1u);
  BOOST_TEST((ticks[0].at == t0 + seconds(4)));
  rules.presence_tick(t0 + seconds(4), out, t0 + seconds(4));
  take();
  BOOST_TEST(rules.presence().empty());
}

BOOST_AUTO_TEST_CASE(a_stopped_gateway_takes_its_entries_with_it) {
  auto rules = started(nullptr);
  auto sub = call(gateway_b, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  take();
  presence_command mine{rules.id(), "alice", "a", value::map(), std::nullopt};
  presence_command theirs{rules.id(), "alice", "b", value::map(), std::nullopt};
  auto c1 = call(gateway_a, 2, mine);
  auto c2 = call(gateway_b, 3, theirs);
  rules.handle(c1, out);
  rules.handle(c2, out);
  take();
  rules.gateway_down(gateway_a.address(), out);
  auto events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  const json left = decode_frame(events[0].event.get_as<room_event>(1).frame)[2][0];
  BOOST_TEST(left["session"] == "a");
  BOOST_TEST(left["reason"] == "disconnect");
  BOOST_TEST(rules.presence().size() == 1u);
  // The subscriber that also owns an entry: its subscription and its entry both end.
  rules.gateway_down(gateway_b.address(), out);
  BOOST_TEST(rules.subscribers() == 0u);
  BOOST_TEST(rules.presence().empty());
}

BOOST_AUTO_TEST_CASE(deleting_the_room_ends_presence_without_notifications) {
  auto rules = started(nullptr);
  auto sub = call(gateway_b, 1, subscribe_command{rules.id(), std::nullopt});
  rules.handle(sub, out);
  presence_command p{rules.id(), "alice", "", value::map(), std::nullopt};
  auto set = call(gateway_a, 2, p);
  rules.handle(set, out);
  take();
  auto del = call(gateway_a, 3, delete_command{rules.id(), "alice"});
  rules.handle(del, out);
  auto events = all<fx::broadcast>(take());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);  // the deleted event only
  BOOST_TEST(!events[0].event.get_as<room_event>(1).presence);
  BOOST_TEST(rules.presence().empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
