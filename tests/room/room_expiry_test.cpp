// Expiry rules (docs/protocol.md, section 11) on room_state: deadlines from each policy and
// clock, presence keeping a room from being idle, the expire method, deletion by expiry, and
// what a restored room knows of its clocks. Times are set explicitly (set_time), relative to
// the creation.
#include <boost/test/unit_test.hpp>

#include "actors/room/room_state.hpp"
#include "protocol/value_json.hpp"

namespace rooms {
namespace {

room_state make_room(expire_policy policy) {
  create_command cmd{"alice"};
  cmd.expire = policy;
  auto made = room_state::create("r1", std::move(cmd), std::make_shared<const limits>());
  BOOST_REQUIRE(made.ok());
  return std::move(*made);
}

expire_command expire_of(std::string user, expire_setting idle, expire_setting empty) {
  return expire_command{"r1", std::move(user), idle, empty, false};
}

constexpr expire_setting unset = std::nullopt;
expire_setting ms(std::uint64_t v) { return expire_setting{std::optional<std::uint64_t>{v}}; }
const expire_setting cleared = expire_setting{std::optional<std::uint64_t>{}};

}  // namespace

BOOST_AUTO_TEST_SUITE(room_expiry)

BOOST_AUTO_TEST_CASE(an_idle_deadline_counts_from_the_last_change) {
  auto room = make_room({5000, std::nullopt});
  const std::uint64_t t0 = room.clocks().changed_at_ms;
  BOOST_TEST(*room.expires_at() == t0 + 5000);
  room.set_time(t0 + 1000);
  BOOST_REQUIRE(room.join({"r1", "bob"}).ok());
  BOOST_TEST(*room.expires_at() == t0 + 6000);
  // A call that changes nothing does not move it.
  room.set_time(t0 + 2000);
  BOOST_REQUIRE(room.join({"r1", "bob"}).ok());
  BOOST_TEST(*room.expires_at() == t0 + 6000);
  room.set_time(t0 + 5999);
  auto early = room.expire_if_due();
  BOOST_REQUIRE(early.ok());
  BOOST_TEST(!early->change.has_value());
  room.set_time(t0 + 6000);
  auto due = room.expire_if_due();
  BOOST_REQUIRE(due.ok());
  BOOST_REQUIRE(due->change.has_value());
  BOOST_TEST(value_to_json(due->change->event) == (json{{"room", "r1"},
                                                        {"type", "deleted"},
                                                        {"user", "alice"},
                                                        {"reason", "expired"},
                                                        {"version", 3}}));
  BOOST_TEST(room.deleted());
  BOOST_TEST(!room.expires_at().has_value());
  BOOST_TEST(!room.get().ok());
  BOOST_TEST(!room.expire_if_due().ok());
}

BOOST_AUTO_TEST_CASE(an_empty_deadline_counts_from_the_change_that_emptied_the_room) {
  auto room = make_room({std::nullopt, 2000});
  const std::uint64_t t0 = room.clocks().changed_at_ms;
  BOOST_TEST(!room.expires_at().has_value());  // members hold it
  room.set_time(t0 + 100);
  BOOST_REQUIRE(room.leave({"r1", "alice"}).ok());
  BOOST_TEST(*room.expires_at() == t0 + 2100);
  BOOST_TEST(*room.summary().expires_at_ms == t0 + 2100);
  room.set_time(t0 + 500);
  BOOST_REQUIRE(room.join({"r1", "bob"}).ok());
  BOOST_TEST(!room.expires_at().has_value());
  room.set_time(t0 + 9000);
  BOOST_TEST(!room.expire_if_due()->change.has_value());
  // Both policies: the earlier deadline.
  BOOST_REQUIRE(room.expire(expire_of("alice", ms(60000), unset)).ok());
  room.set_time(t0 + 9100);
  BOOST_REQUIRE(room.leave({"r1", "bob"}).ok());
  BOOST_TEST(*room.expires_at() == t0 + 9100 + 2000);
}

BOOST_AUTO_TEST_CASE(presence_keeps_a_room_from_being_idle) {
  auto room = make_room({1000, std::nullopt});
  const std::uint64_t t0 = room.clocks().changed_at_ms;
  room.set_time(t0 + 10);
  room.set_presence_held(true);
  room.set_time(t0 + 5000);
  BOOST_TEST(*room.expires_at() == t0 + 6000);
  // The timer index still says t0 + 1000: the check finds presence and moves the clock.
  BOOST_TEST(*room.summary().expires_at_ms == t0 + 1000);
  BOOST_TEST(!room.expire_if_due()->change.has_value());
  BOOST_TEST(*room.summary().expires_at_ms == t0 + 6000);
  room.set_time(t0 + 7000);
  room.set_presence_held(false);
  BOOST_TEST(*room.expires_at() == t0 + 8000);
  BOOST_TEST(*room.summary().expires_at_ms == t0 + 8000);
  room.set_time(t0 + 8000);
  BOOST_TEST(room.expire_if_due()->change.has_value());
}

BOOST_AUTO_TEST_CASE(the_expire_method_sets_and_clears_policies_for_the_owner_only) {
  auto room = make_room({});
  BOOST_TEST(!value_to_json(room.snapshot()).contains("expire"));
  auto forbidden = room.expire(expire_of("bob", ms(5000), unset));
  BOOST_REQUIRE(!forbidden.ok());
  BOOST_TEST((forbidden.error().code == error_code::forbidden));
  auto set = room.expire(expire_of("alice", ms(5000), ms(3000)));
  BOOST_REQUIRE(set.ok());
  BOOST_TEST(room.version() == 2u);
  json event = value_to_json(set->change->event);
  BOOST_TEST(event["type"] == "expire");
  BOOST_TEST(event["expire"] == (json{{"idle_ms", 5000}, {"empty_ms", 3000}}));
  json snapshot = value_to_json(set->result);
  BOOST_TEST(snapshot["expire"]["idle_ms"] == 5000);
  BOOST_TEST(snapshot["expire"]["at_ms"] == room.clocks().changed_at_ms + 5000);
  // Unchanged: nothing moves.
  auto same = room.expire(expire_of("alice", ms(5000), unset));
  BOOST_TEST(!same->change.has_value());
  BOOST_TEST(room.version() == 2u);
  auto clear = room.expire(expire_of("alice", cleared, unset));
  BOOST_TEST(value_to_json(clear->change->event)["expire"] == (json{{"empty_ms", 3000}}));
  BOOST_TEST(value_to_json(clear->result)["expire"] ==
             (json{{"empty_ms", 3000}, {"at_ms", nullptr}}));
}

BOOST_AUTO_TEST_CASE(a_restored_room_has_its_policy_and_the_summary_clocks) {
  auto room = make_room({});
  room.set_time(room.clocks().changed_at_ms + 50);
  auto set = room.expire(expire_of("alice", ms(4000), unset));
  room_image image = room.image();
  image.expire = {};
  image.version = 1;
  room_clocks stored{123456, std::nullopt, 0};
  auto restored =
      room_state::restore(image, {*set->change}, std::make_shared<const limits>(), &stored);
  BOOST_REQUIRE(restored.ok());
  BOOST_TEST(restored->version() == 2u);
  BOOST_TEST((restored->expire_settings() == expire_policy{4000, std::nullopt}));
  BOOST_TEST(*restored->expires_at() == 123456u + 4000);
  // The image keeps both.
  auto again = room_state::restore(restored->image(), {}, std::make_shared<const limits>());
  BOOST_TEST(*again->expires_at() == 123456u + 4000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
