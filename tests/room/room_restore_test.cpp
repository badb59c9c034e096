// Rebuilding a room from its image and event records gives back exactly the room that was
// acknowledged: snapshot, retained events, idempotency keys.
#include <boost/test/unit_test.hpp>

#include "actors/room/room_state.hpp"
#include "protocol/value_json.hpp"

namespace rooms {

namespace {

auto shared_limits(limits lims = {}) { return std::make_shared<const limits>(lims); }

edit_command keyed_set(const std::string& user, int value, std::optional<std::string> key) {
  edit_command cmd;
  cmd.room = "r1";
  cmd.user = user;
  cmd.ops = json_to_value(json::array(
      {{{"op", "set"}, {"path", "/cells/" + std::to_string(value)}, {"value", value}}}));
  cmd.key = std::move(key);
  return cmd;
}

// A room with history, plus every record its changes produced, and its image at version 3.
struct history {
  room_state room = std::move(*room_state::create("r1", {"alice", value::map()}, shared_limits()));
  std::vector<event_record> records;
  room_image image_at_3;

  history() {
    auto keep = [&](result<room_outcome> outcome) {
      BOOST_REQUIRE(outcome.ok());
      records.push_back(*outcome->change);
      if (room.version() == 3) image_at_3 = room.image();
    };
    keep(room.join({"r1", "bob"}));                        // 2
    keep(room.edit(keyed_set("bob", 1, "k1")));            // 3
    keep(room.edit(keyed_set("alice", 2, std::nullopt)));  // 4
    keep(room.leave({"r1", "alice"}));                     // 5
    keep(room.edit(keyed_set("bob", 3, "k2")));            // 6
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(room_restore)

BOOST_AUTO_TEST_CASE(meta_comes_back_from_the_image_and_from_meta_events) {
  create_command create{"alice", value::map()};
  create.meta = json_to_value(json{{"mode", "casual"}});
  auto room = std::move(*room_state::create("r1", std::move(create), shared_limits()));
  const room_image first = room.image();
  std::vector<event_record> records;
  auto set = room.set_meta({"r1", "alice", json_to_value(json{{"taken", 1}})});
  BOOST_REQUIRE(set.ok());
  records.push_back(*set->change);
  auto replayed = room_state::restore(first, records, shared_limits());
  BOOST_REQUIRE(replayed.ok());
  BOOST_TEST((replayed->meta() == room.meta()));
  BOOST_TEST((replayed->snapshot() == room.snapshot()));
  auto from_image = room_state::restore(room.image(), {}, shared_limits());
  BOOST_REQUIRE(from_image.ok());
  BOOST_TEST((from_image->meta() == room.meta()));
  // A meta event without its map is refused, not replayed as an empty one.
  records[0].event.as_map().extract("meta");
  BOOST_TEST(!room_state::restore(first, records, shared_limits()).ok());
}

BOOST_AUTO_TEST_CASE(image_plus_later_records_rebuilds_the_room) {
  history h;
  auto restored = room_state::restore(h.image_at_3, h.records, shared_limits());
  BOOST_REQUIRE(restored.ok());
  BOOST_TEST((restored->snapshot() == h.room.snapshot()));
  BOOST_TEST((restored->events().decoded() == h.room.events().decoded()));
  // Patches come back too, from records before the image (kept) and after it (replayed).
  BOOST_TEST((restored->events().decoded(true) == h.room.events().decoded(true)));
  BOOST_TEST(restored->events().decoded(true)[1].contains("patch"));  // version 3
  BOOST_TEST(restored->events().decoded(true)[4].contains("patch"));  // version 6
  BOOST_TEST(restored->first_replayable() == 2u);
}

BOOST_AUTO_TEST_CASE(restored_keys_still_replay_and_detect_reuse) {
  history h;
  auto restored = room_state::restore(h.image_at_3, h.records, shared_limits());
  auto again = restored->edit(keyed_set("bob", 1, "k1"));  // remembered in the image
  BOOST_TEST(value_to_json(again->result) ==
             json({{"room", "r1"}, {"version", 3}, {"replayed", true}}));
  auto again2 = restored->edit(keyed_set("bob", 3, "k2"));  // remembered through replay
  BOOST_TEST(value_to_json(again2->result)["version"] == 6u);
  BOOST_TEST(value_to_json(again2->result)["replayed"] == true);
  auto reused = restored->edit(keyed_set("bob", 9, "k2"));
  BOOST_TEST((reused.error().code == error_code::key_reused));
}

BOOST_AUTO_TEST_CASE(restored_keys_keep_their_users) {
  history h;
  auto restored = room_state::restore(h.image_at_3, h.records, shared_limits());
  restored->join({"r1", "carol"});
  // bob's keys, from the image (k1) and from replay (k2), are not carol's.
  auto k1 = restored->edit(keyed_set("carol", 1, "k1"));
  BOOST_REQUIRE(k1.ok());
  BOOST_TEST(!value_to_json(k1->result).contains("replayed"));
  auto k2 = restored->edit(keyed_set("carol", 3, "k2"));
  BOOST_REQUIRE(k2.ok());
  BOOST_TEST(!value_to_json(k2->result).contains("replayed"));
  BOOST_TEST(restored->image().keys.back().user == "carol");
}

BOOST_AUTO_TEST_CASE(the_latest_image_alone_rebuilds_the_room_without_old_events) {
  history h;
  auto restored = room_state::restore(h.room.image(), {}, shared_limits());
  BOOST_TEST((restored->snapshot() == h.room.snapshot()));
  BOOST_TEST(restored->events().empty());
  auto sub = restored->subscribe({"r1", 2});
  BOOST_TEST(value_to_json(sub->result)["resync"] == true);
  auto current = restored->subscribe({"r1", 6});
  BOOST_TEST(value_to_json(current->result)["events"] == json::array());
}

BOOST_AUTO_TEST_CASE(retained_records_serve_since_after_restore) {
  history h;
  auto restored = room_state::restore(h.room.image(), h.records, shared_limits());
  auto sub = restored->subscribe({"r1", 0});
  BOOST_REQUIRE_EQUAL(value_to_json(sub->result)["events"].size(), 5u);
  BOOST_TEST(value_to_json(sub->result)["events"][1] == h.room.events().decoded()[1]);
}

BOOST_AUTO_TEST_CASE(records_with_a_gap_are_refused) {
  history h;
  auto records = h.records;
  records.erase(records.begin() + 3);
  auto restored = room_state::restore(h.image_at_3, records, shared_limits());
  BOOST_REQUIRE(!restored.ok());
  BOOST_TEST((restored.error().code == error_code::internal));
}

BOOST_AUTO_TEST_CASE(an_edit_that_no_longer_applies_is_refused) {
  history h;
  auto records = h.records;
  records[2].event.as_map().insert_or_assign(
      "ops", json_to_value(json::array({{{"op", "remove"}, {"path", "/missing"}}})));
  auto restored = room_state::restore(h.image_at_3, records, shared_limits());
  BOOST_TEST(!restored.ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
