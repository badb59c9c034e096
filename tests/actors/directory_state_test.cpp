// The directory's rules without an actor system (actors/directory/directory_state.hpp): what
// each message makes the directory do, and in which order.
#include "actors/directory/directory_state.hpp"

#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "actors/storage/room_codec.hpp"
#include "protocol/room_id.hpp"

namespace rooms::test {

namespace {

namespace fx = directory_effects;

struct rules_fixture {
  std::shared_ptr<const limits> room_limits = std::make_shared<const limits>();
  std::shared_ptr<node_counters> counters = std::make_shared<node_counters>();
  directory_state::effects out;

  directory_config config(bool durable, std::chrono::milliseconds park_after = {}) const {
    directory_config c;
    c.room_limits = room_limits;
    c.counters = counters;
    // The rules only ask whether rooms are stored; the actor uses the store and reader.
    if (durable) c.persistence = std::make_shared<const room_persistence>();
    c.park_after = park_after;
    return c;
  }

  /// The effects so far, taken.
  directory_state::effects take() { return std::exchange(out, {}); }

  /// A call whose answers go nowhere (the rules do not need a handle to decide).
  static room_call call(std::uint32_t msgid, room_command cmd) {
    return room_call{caller{caf::actor{}, msgid, true}, std::move(cmd)};
  }

  /// Creates a room on `rules` (a node without storage), returning its id and activation.
  std::pair<std::string, activation> create(directory_state& rules) {
    rules.create(create_call{caller{caf::actor{}, 1, true}, create_command{"alice", value::map()}},
                 out);
    auto effects = take();
    BOOST_REQUIRE_EQUAL(effects.size(), 1u);
    auto& spawned = std::get<fx::spawn_created>(effects[0]);
    return {spawned.state.id(), spawned.room};
  }
};

template <class Effect>
const Effect& as(const directory_effect& effect) {
  BOOST_REQUIRE(std::holds_alternative<Effect>(effect));
  return std::get<Effect>(effect);
}

std::string error_of(const directory_effect& effect) {
  const auto& reply = as<fx::reply>(effect);
  return reply.answer.error ? std::string{to_string(*reply.answer.error)} : std::string{};
}

std::shared_ptr<result<std::optional<stored_room>>> read_as(
    result<std::optional<stored_room>> read) {
  return std::make_shared<result<std::optional<stored_room>>>(std::move(read));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(directory_rules, rules_fixture)

BOOST_AUTO_TEST_CASE(a_created_room_gets_an_activation_and_later_calls_go_to_it_in_order) {
  directory_state rules{config(false)};
  auto [id, room] = create(rules);
  BOOST_TEST(is_room_id(id));
  BOOST_TEST(counters->rooms.load() == 1);
  for (std::uint32_t msgid = 2; msgid < 5; ++msgid) rules.route(call(msgid, get_command{id}), out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    BOOST_TEST(as<fx::forward>(effects[i]).room == room);
    BOOST_TEST(as<fx::forward>(effects[i]).call.from.msgid == i + 2);
  }
}

BOOST_AUTO_TEST_CASE(a_call_for_an_unknown_room_without_storage_is_not_found) {
  directory_state rules{config(false)};
  const std::string id = new_room_id();
  rules.route(call(7, get_command{id}), out);
  rules.route(call(8, unsubscribe_command{id}), out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  BOOST_TEST(error_of(effects[0]) == "not_found");
  BOOST_TEST(error_of(effects[1]).empty());  // unsubscribing from nothing succeeds
}

BOOST_AUTO_TEST_CASE(a_durable_creation_asks_the_reader_first_and_draws_again_if_taken) {
  directory_state rules{config(true)};
  rules.create(create_call{caller{caf::actor{}, 1, true}, create_command{"alice", value::map()}},
               out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  const auto first = as<fx::check_id>(effects[0]);
  // Taken by a stored room: another id, another check.
  rules.id_checked({first.ticket, std::make_shared<const result<bool>>(true)}, out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  const auto second = as<fx::check_id>(effects[0]);
  BOOST_TEST(second.id != first.id);
  // A stale answer (the first ticket again) changes nothing.
  rules.id_checked({first.ticket, std::make_shared<const result<bool>>(false)}, out);
  BOOST_TEST(take().empty());
  rules.id_checked({second.ticket, std::make_shared<const result<bool>>(false)}, out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  BOOST_TEST(as<fx::spawn_created>(effects[0]).state.id() == second.id);
  BOOST_TEST(as<fx::spawn_created>(effects[0]).creator.msgid == 1u);
}

BOOST_AUTO_TEST_CASE(an_unreadable_store_fails_the_creation_with_its_error) {
  directory_state rules{config(true)};
  rules.create(create_call{caller{caf::actor{}, 1, true}, create_command{"alice", value::map()}},
               out);
  const auto check = as<fx::check_id>(take()[0]);
  rules.id_checked({check.ticket, std::make_shared<const result<bool>>(
                                      rooms_error{error_code::unavailable, "disk gone"})},
                   out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  BOOST_TEST(error_of(effects[0]) == "unavailable");
  BOOST_TEST(counters->rooms.load() == 0);
}

BOOST_AUTO_TEST_CASE(calls_for_a_stored_room_wait_for_one_read_then_follow_the_spawn_in_order) {
  directory_state rules{config(true)};
  const std::string id = new_room_id();
  for (std::uint32_t msgid = 1; msgid <= 3; ++msgid) rules.route(call(msgid, get_command{id}), out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);  // one read for three calls
  const auto read = as<fx::load>(effects[0]);
  BOOST_TEST(read.id == id);
  BOOST_TEST(rules.loading() == 1u);
  // A stale answer for the same room is ignored.
  rules.loaded({id, read.ticket + 100, read_as(std::optional<stored_room>{stored_room{}})}, out);
  BOOST_TEST(take().empty());
  rules.loaded({id, read.ticket, read_as(std::optional<stored_room>{stored_room{}})}, out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 4u);
  const activation room = as<fx::spawn_stored>(effects[0]).room;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    BOOST_TEST(as<fx::forward>(effects[i]).room == room);
    BOOST_TEST(as<fx::forward>(effects[i]).call.from.msgid == i);
  }
  BOOST_TEST(rules.loading() == 0u);
  BOOST_TEST(counters->rooms.load() == 1);
}

BOOST_AUTO_TEST_CASE(calls_for_a_room_the_reader_does_not_find_get_not_found) {
  directory_state rules{config(true)};
  const std::string id = new_room_id();
  rules.route(call(1, get_command{id}), out);
  rules.route(call(2, join_command{id, "bob"}), out);
  const auto read = as<fx::load>(take()[0]);
  rules.loaded({id, read.ticket, read_as(std::optional<stored_room>{})}, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  BOOST_TEST(error_of(effects[0]) == "not_found");
  BOOST_TEST(as<fx::reply>(effects[1]).to.msgid == 2u);
  BOOST_TEST(rules.rooms() == 0u);
}

BOOST_AUTO_TEST_CASE(a_hibernating_room_holds_calls_until_it_stops_then_they_read_it_again) {
  directory_state rules{config(true)};
  const std::string id = new_room_id();
  rules.route(call(1, get_command{id}), out);
  const auto read = as<fx::load>(take()[0]);
  rules.loaded({id, read.ticket, read_as(std::optional<stored_room>{stored_room{}})}, out);
  const activation room = as<fx::spawn_stored>(take()[0]).room;
  rules.hibernate(id, out);
  BOOST_TEST(as<fx::grant_hibernation>(take()[0]).room == room);
  rules.route(call(2, get_command{id}), out);
  rules.route(call(3, get_command{id}), out);
  BOOST_TEST(take().empty());  // held
  rules.stopped(room, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);  // one read for both held calls
  const auto reread = as<fx::load>(effects[0]);
  BOOST_TEST(counters->rooms.load() == 0);
  rules.loaded({id, reread.ticket, read_as(std::optional<stored_room>{stored_room{}})}, out);
  effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 3u);
  const activation again = as<fx::spawn_stored>(effects[0]).room;
  BOOST_TEST(again != room);
  BOOST_TEST(as<fx::forward>(effects[1]).call.from.msgid == 2u);
  BOOST_TEST(as<fx::forward>(effects[2]).call.from.msgid == 3u);
}

BOOST_AUTO_TEST_CASE(a_room_that_stays_busy_gets_its_held_calls_back_in_order) {
  directory_state rules{config(false)};
  auto [id, room] = create(rules);
  rules.hibernate(id, out);
  take();
  rules.route(call(2, get_command{id}), out);
  rules.route(call(3, get_command{id}), out);
  BOOST_TEST(take().empty());
  rules.reinstate(id, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  BOOST_TEST(as<fx::forward>(effects[0]).room == room);
  BOOST_TEST(as<fx::forward>(effects[0]).call.from.msgid == 2u);
  BOOST_TEST(as<fx::forward>(effects[1]).call.from.msgid == 3u);
  // Busy again: the next call goes straight to it.
  rules.route(call(4, get_command{id}), out);
  BOOST_TEST(as<fx::forward>(take()[0]).room == room);
}

BOOST_AUTO_TEST_CASE(a_parked_room_keeps_its_image_and_the_next_call_activates_it) {
  directory_state rules{config(false, std::chrono::milliseconds{20})};
  rules.create(create_call{caller{caf::actor{}, 1, true}, create_command{"alice", value::map()}},
               out);
  auto created = take();
  auto& spawned = std::get<fx::spawn_created>(created[0]);
  const std::string id = spawned.state.id();
  const activation room = spawned.room;
  room_image image = spawned.state.image();
  image.id.clear();
  rules.hibernate(id, out);
  take();
  rules.route(call(2, get_command{id}), out);  // held while it parks
  rules.parked(id, encode_room_image(image));
  rules.stopped(room, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  const auto& unparked = as<fx::spawn_unparked>(effects[0]);
  BOOST_TEST(unparked.state.id() == id);
  BOOST_TEST(unparked.room != room);
  BOOST_TEST(as<fx::forward>(effects[1]).room == unparked.room);
  BOOST_TEST(counters->rooms.load() == 1);
  BOOST_TEST(counters->rooms_parked.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_parked_room_stays_parked_until_a_call_comes) {
  directory_state rules{config(false, std::chrono::milliseconds{20})};
  auto [id, room] = create(rules);
  rules.hibernate(id, out);
  take();
  rules.parked(id, encode_room_image(room_image{}));
  rules.stopped(room, out);
  BOOST_TEST(take().empty());
  BOOST_TEST(counters->rooms_parked.load() == 1);
  BOOST_TEST(rules.rooms() == 1u);
}

BOOST_AUTO_TEST_CASE(a_forgotten_room_is_released_after_its_calls_and_held_calls_route_again) {
  directory_state rules{config(false)};
  auto [id, room] = create(rules);
  rules.hibernate(id, out);
  take();
  rules.route(call(2, get_command{id}), out);
  rules.room_gone(id, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 2u);
  BOOST_TEST(as<fx::release>(effects[0]).room == room);
  BOOST_TEST(error_of(effects[1]) == "not_found");
  BOOST_TEST(counters->rooms.load() == 0);
  // The old actor's down message, arriving later, changes nothing.
  rules.stopped(room, out);
  BOOST_TEST(take().empty());
}

BOOST_AUTO_TEST_CASE(calls_for_another_nodes_room_go_home_or_get_unavailable) {
  auto placement =
      cluster_placement::make({{"a", "127.0.0.1", 7001}, {"b", "127.0.0.1", 7002}}, "a");
  BOOST_REQUIRE(placement.ok());
  auto c = config(false);
  c.placement = std::make_shared<const cluster_placement>(std::move(*placement));
  directory_state rules{c};
  std::string elsewhere = new_room_id();
  while (c.placement->is_local(elsewhere)) elsewhere = new_room_id();
  const std::size_t home = c.placement->home(elsewhere);
  rules.route(call(1, get_command{elsewhere}), out);
  BOOST_TEST(error_of(take()[0]) == "unavailable");
  rules.peer_up(home);
  BOOST_TEST(counters->peers_up.load() == 1);
  rules.route(call(2, get_command{elsewhere}), out);
  BOOST_TEST(as<fx::forward_home>(take()[0]).home == home);
  rules.peer_down(home);
  rules.route(call(3, get_command{elsewhere}), out);
  BOOST_TEST(error_of(take()[0]) == "unavailable");
  BOOST_TEST(rules.same_cluster(c.placement->fingerprint()));
  BOOST_TEST(!rules.same_cluster("x"));
  // Rooms it creates are placed here.
  auto [id, room] = create(rules);
  BOOST_TEST(c.placement->is_local(id));
}

BOOST_AUTO_TEST_CASE(a_call_that_wants_no_reply_gets_none) {
  directory_state rules{config(false)};
  rules.route(room_call{caller{caf::actor{}, 0, false}, get_command{new_room_id()}}, out);
  BOOST_TEST(take().empty());
}

BOOST_AUTO_TEST_CASE(a_due_room_gets_one_expiry_check_a_second) {
  directory_state rules(config(false));
  auto [id, room] = create(rules);
  const std::vector<due_room> due{{1000, id}, {1000, "not-a-room-id"}};
  rules.expiry_due(due, 50000, out);
  auto effects = take();
  BOOST_REQUIRE_EQUAL(effects.size(), 1u);
  const auto& check = as<fx::forward>(effects[0]);
  BOOST_TEST(check.room == room);
  const auto& command = std::get<expire_command>(check.call.command);
  BOOST_TEST(command.due_check);
  BOOST_TEST(command.room == id);
  BOOST_TEST(!check.call.from.wants_reply);
  // Still due a moment later (its room is writing the deletion): no second check yet.
  rules.expiry_due(due, 50900, out);
  BOOST_TEST(take().empty());
  rules.expiry_due(due, 51000, out);
  BOOST_TEST(take().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
