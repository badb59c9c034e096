// The room rules of docs/protocol.md, checked on room_state directly.
#include "actors/room/room_state.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/value_json.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

auto make_limits(limits lims = {}) { return std::make_shared<const limits>(lims); }

room_state make_room(json data = json::object(), limits lims = {}) {
  auto made =
      room_state::create("r1", create_command{"alice", json_to_value(data)}, make_limits(lims));
  BOOST_REQUIRE(made.ok());
  return std::move(*made);
}

edit_command edit_of(std::string user, json ops) {
  edit_command cmd;
  cmd.room = "r1";
  cmd.user = std::move(user);
  cmd.ops = json_to_value(ops);
  return cmd;
}

json set_op(std::string path, json value) {
  return json{{"op", "set"}, {"path", std::move(path)}, {"value", std::move(value)}};
}

error_code code_of(const result<room_outcome>& r) {
  BOOST_REQUIRE(!r.ok());
  return r.error().code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(room_state_rules)

BOOST_AUTO_TEST_CASE(create_makes_the_creator_owner_and_first_member_at_version_1) {
  auto room = make_room(json{{"cells", json::object()}});
  json snap = value_to_json(room.snapshot());
  BOOST_TEST(snap["room"] == "r1");
  BOOST_TEST(snap["owner"] == "alice");
  BOOST_TEST(snap["members"] == json::array({"alice"}));
  BOOST_TEST(snap["data"] == json({{"cells", json::object()}}));
  BOOST_TEST(snap["version"] == 1u);
  BOOST_TEST(room.events().empty());
}

BOOST_AUTO_TEST_CASE(create_refuses_data_past_the_size_and_depth_limits) {
  limits lims;
  lims.max_data_bytes = 64;
  auto big = room_state::create("r", {"alice", json_to_value(json{{"s", std::string(100, 'x')}})},
                                make_limits(lims));
  BOOST_TEST(!big.ok());
  BOOST_TEST((big.error().code == error_code::too_large));
  lims = {};
  lims.max_depth = 3;
  auto at_limit = room_state::create(
      "r", {"alice", json_to_value(json{{"a", {{"b", {{"c", 1}}}}}})}, make_limits(lims));
  BOOST_TEST(at_limit.ok());
  auto deep = room_state::create(
      "r", {"alice", json_to_value(json{{"a", {{"b", {{"c", {{"d", 1}}}}}}}})}, make_limits(lims));
  BOOST_REQUIRE(!deep.ok());
  BOOST_TEST((deep.error().code == error_code::invalid_argument));
  auto not_map = room_state::create("r", {"alice", json_to_value(json::array())}, make_limits());
  BOOST_TEST((not_map.error().code == error_code::invalid_argument));
}

BOOST_AUTO_TEST_CASE(join_and_leave_are_idempotent_and_keep_join_order) {
  auto room = make_room();
  auto joined = room.join({"r1", "bob"});
  BOOST_REQUIRE(joined.ok());
  BOOST_TEST(value_to_json(joined->result)["version"] == 2u);
  BOOST_TEST(value_to_json(joined->result)["members"] == json::array({"alice", "bob"}));
  BOOST_TEST(value_to_json(joined->change->event) ==
             json({{"room", "r1"}, {"version", 2}, {"type", "joined"}, {"user", "bob"}}));
  auto again = room.join({"r1", "bob"});
  BOOST_TEST(value_to_json(again->result)["version"] == 2u);
  BOOST_TEST(!again->change.has_value());
  room.join({"r1", "carol"});
  auto left = room.leave({"r1", "bob"});
  BOOST_TEST(value_to_json(left->result)["members"] == json::array({"alice", "carol"}));
  BOOST_TEST(value_to_json(left->change->event) ==
             json({{"room", "r1"}, {"version", 4}, {"type", "left"}, {"user", "bob"}}));
  auto left_again = room.leave({"r1", "bob"});
  BOOST_TEST(value_to_json(left_again->result)["version"] == 4u);
  BOOST_TEST(!left_again->change.has_value());
  room.join({"r1", "bob"});
  BOOST_TEST(room.members() == (std::vector<std::string>{"alice", "carol", "bob"}));
}

BOOST_AUTO_TEST_CASE(join_past_the_member_limit_is_too_large) {
  limits lims;
  lims.max_members = 2;
  auto room = make_room(json::object(), lims);
  BOOST_TEST(room.join({"r1", "bob"}).ok());
  BOOST_TEST((code_of(room.join({"r1", "carol"})) == error_code::too_large));
  BOOST_TEST(room.version() == 2u);
  BOOST_TEST(room.join({"r1", "bob"}).ok());  // an existing member still may "join"
}

BOOST_AUTO_TEST_CASE(the_owner_may_leave_and_still_delete) {
  auto room = make_room();
  room.leave({"r1", "alice"});
  BOOST_TEST(room.members().empty());
  BOOST_TEST(room.owner() == "alice");
  BOOST_TEST((code_of(room.edit(edit_of("alice", json::array({set_op("/a", 1)})))) ==
              error_code::not_member));
  auto deleted = room.remove({"r1", "alice"});
  BOOST_REQUIRE(deleted.ok());
  BOOST_TEST(value_to_json(deleted->result) ==
             json({{"room", "r1"}, {"deleted", true}, {"version", 3}}));
  BOOST_TEST(value_to_json(deleted->change->event) ==
             json({{"room", "r1"}, {"version", 3}, {"type", "deleted"}, {"user", "alice"}}));
}

BOOST_AUTO_TEST_CASE(only_the_owner_may_delete) {
  auto room = make_room();
  room.join({"r1", "bob"});
  BOOST_TEST((code_of(room.remove({"r1", "bob"})) == error_code::forbidden));
  BOOST_TEST(!room.deleted());
  BOOST_TEST(room.version() == 2u);
}

BOOST_AUTO_TEST_CASE(every_call_on_a_deleted_room_is_not_found) {
  auto room = make_room();
  BOOST_REQUIRE(room.remove({"r1", "alice"}).ok());
  BOOST_TEST((code_of(room.remove({"r1", "alice"})) == error_code::not_found));
  BOOST_TEST((code_of(room.join({"r1", "bob"})) == error_code::not_found));
  BOOST_TEST((code_of(room.leave({"r1", "alice"})) == error_code::not_found));
  BOOST_TEST((code_of(room.edit(edit_of("alice", json::array()))) == error_code::not_found));
  BOOST_TEST((code_of(room.get()) == error_code::not_found));
  BOOST_TEST((code_of(room.subscribe({"r1", std::nullopt})) == error_code::not_found));
}

BOOST_AUTO_TEST_CASE(an_edit_moves_the_version_by_one_and_its_event_carries_the_ops) {
  auto room = make_room();
  json ops = json::array({set_op("/cells/A1", 5), {{"op", "incr"}, {"path", "/n"}, {"by", 2}}});
  auto edited = room.edit(edit_of("alice", ops));
  BOOST_REQUIRE(edited.ok());
  BOOST_TEST(value_to_json(edited->result)["version"] == 2u);
  BOOST_TEST(value_to_json(edited->result)["data"] == json({{"cells", {{"A1", 5}}}, {"n", 2}}));
  const json event = {
      {"room", "r1"}, {"version", 2}, {"type", "edited"}, {"user", "alice"}, {"ops", ops}};
  const json patch = json::array({{{"op", "add"}, {"path", "/cells"}, {"value", json::object()}},
                                  {{"op", "add"}, {"path", "/cells/A1"}, {"value", 5}},
                                  {{"op", "add"}, {"path", "/n"}, {"value", 2}}});
  json with_patch = event;
  with_patch["patch"] = patch;
  // The stored record keeps the patch; subscribers get it only when they asked for it.
  BOOST_TEST(value_to_json(edited->change->event) == event);
  BOOST_TEST(from_msgpack_bytes(edited->change->patch, 100).value() == patch);
  BOOST_TEST(room.events().decoded().back() == event);
  BOOST_TEST(room.events().decoded(true).back() == with_patch);
  BOOST_TEST(room.events().newest_has_patch());
}

BOOST_AUTO_TEST_CASE(subscribe_since_replays_patches_only_when_asked) {
  auto room = make_room();
  BOOST_REQUIRE(room.edit(edit_of("alice", json::array({set_op("/a", 1)}))).ok());
  BOOST_REQUIRE(room.join({"r1", "bob"}).ok());
  auto plain = room.subscribe({"r1", 1});
  auto patched = room.subscribe({"r1", 1, true});
  BOOST_REQUIRE(plain.ok());
  BOOST_REQUIRE(patched.ok());
  const json plain_events = value_to_json(plain->result)["events"];
  const json patched_events = value_to_json(patched->result)["events"];
  BOOST_REQUIRE_EQUAL(plain_events.size(), 2u);
  BOOST_REQUIRE_EQUAL(patched_events.size(), 2u);
  BOOST_TEST(!plain_events[0].contains("patch"));
  BOOST_TEST(patched_events[0]["patch"] ==
             json::array({{{"op", "add"}, {"path", "/a"}, {"value", 1}}}));
  BOOST_TEST(patched_events[0]["ops"] == plain_events[0]["ops"]);
  // Only edits carry a patch.
  BOOST_TEST(patched_events[1] == plain_events[1]);
  BOOST_TEST(!room.events().newest_has_patch());
}

BOOST_AUTO_TEST_CASE(set_meta_merges_for_members_and_announces_the_whole_map) {
  create_command create{"alice", value::map()};
  create.meta = json_to_value({{"mode", "ranked"}, {"taken", 1}});
  auto made = room_state::create("r1", std::move(create), make_limits());
  BOOST_REQUIRE(made.ok());
  room_state& room = *made;
  BOOST_TEST(value_to_json(room.snapshot())["meta"] == (json{{"mode", "ranked"}, {"taken", 1}}));
  BOOST_TEST((code_of(room.set_meta({"r1", "bob", json_to_value({{"taken", 2}})})) ==
              error_code::not_member));
  BOOST_REQUIRE(room.join({"r1", "bob"}).ok());
  auto set = room.set_meta({"r1", "bob", json_to_value({{"taken", 2}, {"mode", nullptr}})});
  BOOST_REQUIRE(set.ok());
  BOOST_TEST(value_to_json(set->result) ==
             (json{{"room", "r1"}, {"version", 3}, {"meta", {{"taken", 2}}}}));
  BOOST_REQUIRE(set->change.has_value());
  BOOST_TEST(value_to_json(set->change->event) == (json{{"room", "r1"},
                                                        {"version", 3},
                                                        {"type", "meta"},
                                                        {"user", "bob"},
                                                        {"meta", {{"taken", 2}}}}));
  // The same again changes nothing: no version, no event.
  auto again = room.set_meta({"r1", "bob", json_to_value({{"taken", 2}})});
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(!again->change.has_value());
  BOOST_TEST(room.version() == 3u);
  // Emptied: the snapshot shows no meta.
  BOOST_REQUIRE(room.set_meta({"r1", "bob", json_to_value({{"taken", nullptr}})}).ok());
  BOOST_TEST(!value_to_json(room.snapshot()).contains("meta"));
}

BOOST_AUTO_TEST_CASE(an_edit_that_leaves_the_data_equal_still_moves_the_version) {
  auto room = make_room(json{{"a", 1}});
  auto edited = room.edit(edit_of("alice", json::array({set_op("/a", 1)})));
  BOOST_TEST(value_to_json(edited->result)["version"] == 2u);
  BOOST_TEST(edited->change.has_value());
}

BOOST_AUTO_TEST_CASE(an_empty_edit_changes_nothing_and_returns_the_snapshot) {
  auto room = make_room();
  auto edited = room.edit(edit_of("alice", json::array()));
  BOOST_TEST(value_to_json(edited->result) == value_to_json(room.snapshot()));
  BOOST_TEST(room.version() == 1u);
  BOOST_TEST(!edited->change.has_value());
}

BOOST_AUTO_TEST_CASE(reply_version_answers_room_and_version_only) {
  auto room = make_room();
  auto cmd = edit_of("alice", json::array({set_op("/a", 1)}));
  cmd.reply_version_only = true;
  BOOST_TEST(value_to_json(room.edit(cmd)->result) == json({{"room", "r1"}, {"version", 2}}));
}

BOOST_AUTO_TEST_CASE(a_failed_edit_changes_nothing_and_names_the_failing_op) {
  auto room = make_room(json{{"a", 1}});
  json ops = json::array({set_op("/b", 2),
                          set_op("/c", 3),
                          {{"op", "remove"}, {"path", "/missing"}},
                          set_op("/d", 4)});
  auto failed = room.edit(edit_of("alice", ops));
  BOOST_TEST((code_of(failed) == error_code::patch_failed));
  BOOST_TEST(failed.error().details["index"] == 2u);
  BOOST_TEST(rooms::value_to_json(room.data()) == json({{"a", 1}}));
  BOOST_TEST(room.version() == 1u);
  BOOST_TEST(room.events().empty());
  auto malformed = room.edit(edit_of("alice", json::array({set_op("/b", 2), {{"op", "nope"}}})));
  BOOST_TEST((code_of(malformed) == error_code::invalid_argument));
  BOOST_TEST(malformed.error().details["index"] == 1u);
  BOOST_TEST(rooms::value_to_json(room.data()) == json({{"a", 1}}));
}

BOOST_AUTO_TEST_CASE(edits_need_membership) {
  auto room = make_room();
  BOOST_TEST((code_of(room.edit(edit_of("mallory", json::array({set_op("/a", 1)})))) ==
              error_code::not_member));
  BOOST_TEST(room.version() == 1u);
}

BOOST_AUTO_TEST_CASE(if_version_applies_only_at_that_version) {
  auto room = make_room();
  auto cmd = edit_of("alice", json::array({set_op("/a", 1)}));
  cmd.if_version = 5;
  auto conflict = room.edit(cmd);
  BOOST_TEST((code_of(conflict) == error_code::conflict));
  BOOST_TEST(conflict.error().details["version"] == 1u);
  BOOST_TEST(room.version() == 1u);
  cmd.if_version = 1;
  BOOST_TEST(value_to_json(room.edit(cmd)->result)["version"] == 2u);
}

BOOST_AUTO_TEST_CASE(too_many_ops_or_too_much_data_is_too_large) {
  limits lims;
  lims.max_ops = 2;
  lims.max_data_bytes = 100;
  auto room = make_room(json::object(), lims);
  auto many =
      room.edit(edit_of("alice", json::array({set_op("/a", 1), set_op("/b", 1), set_op("/c", 1)})));
  BOOST_TEST((code_of(many) == error_code::too_large));
  auto big = room.edit(edit_of("alice", json::array({set_op("/a", std::string(200, 'x'))})));
  BOOST_TEST((code_of(big) == error_code::too_large));
  BOOST_TEST(rooms::value_to_json(room.data()) == json::object());
  BOOST_TEST(room.version() == 1u);
}

BOOST_AUTO_TEST_CASE(a_remembered_key_replays_without_applying_again) {
  auto room = make_room();
  auto cmd = edit_of("alice", json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}));
  cmd.key = "k1";
  BOOST_TEST(value_to_json(room.edit(cmd)->result)["version"] == 2u);
  room.join({"r1", "bob"});
  auto replay = room.edit(cmd);
  BOOST_REQUIRE(replay.ok());
  BOOST_TEST(value_to_json(replay->result) ==
             json({{"room", "r1"}, {"version", 2}, {"replayed", true}}));
  BOOST_TEST(!replay->change.has_value());
  BOOST_TEST(rooms::value_to_json(room.data()) == json({{"n", 1}}));
  BOOST_TEST(room.version() == 3u);
}

BOOST_AUTO_TEST_CASE(a_remembered_key_is_answered_before_membership_and_if_version) {
  auto room = make_room();
  room.join({"r1", "bob"});
  auto cmd = edit_of("bob", json::array({set_op("/a", 1)}));
  cmd.key = "k";
  cmd.if_version = 2;
  BOOST_REQUIRE(room.edit(cmd).ok());
  room.leave({"r1", "bob"});
  auto replay = room.edit(cmd);  // bob is no longer a member and the version moved on
  BOOST_REQUIRE(replay.ok());
  BOOST_TEST(value_to_json(replay->result)["replayed"] == true);
  BOOST_TEST(value_to_json(replay->result)["version"] == 3u);
}

BOOST_AUTO_TEST_CASE(a_key_is_scoped_to_its_user) {
  auto room = make_room();
  room.join({"r1", "bob"});
  auto alice = edit_of("alice", json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}));
  alice.key = "move-1";
  BOOST_TEST(value_to_json(room.edit(alice)->result)["version"] == 3u);
  // Bob happens to choose the same key and the same ops: his edit is his own, and applies.
  auto bob = alice;
  bob.user = "bob";
  auto applied = room.edit(bob);
  BOOST_REQUIRE(applied.ok());
  BOOST_TEST(!value_to_json(applied->result).contains("replayed"));
  BOOST_TEST(value_to_json(applied->result)["version"] == 4u);
  BOOST_TEST(rooms::value_to_json(room.data()) == json({{"n", 2}}));
  // Other ops under that key: not key_reused for a user who never used it.
  bob.key = "move-2";
  BOOST_REQUIRE(room.edit(bob).ok());
  alice.key = "move-2";
  alice.ops = json_to_value(json::array({set_op("/other", 1)}));
  BOOST_TEST(value_to_json(room.edit(alice)->result)["version"] == 6u);
  // Each user's retry still replays their own edit.
  auto retry = edit_of("bob", json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}));
  retry.key = "move-1";
  BOOST_TEST(value_to_json(room.edit(retry)->result) ==
             json({{"room", "r1"}, {"version", 4}, {"replayed", true}}));
  BOOST_TEST(room.version() == 6u);
}

BOOST_AUTO_TEST_CASE(identical_ops_ignore_map_order_but_not_types) {
  auto room = make_room();
  auto cmd = edit_of("alice", json::parse(R"([{"op":"set","path":"/a","value":{"x":1,"y":2}}])"));
  cmd.key = "k";
  BOOST_REQUIRE(room.edit(cmd).ok());
  cmd.ops = json_to_value(json::parse(R"([{"value":{"y":2,"x":1},"path":"/a","op":"set"}])"));
  BOOST_TEST(value_to_json(room.edit(cmd)->result)["replayed"] == true);
  cmd.ops = json_to_value(json::parse(R"([{"op":"set","path":"/a","value":{"x":1.0,"y":2}}])"));
  BOOST_TEST((code_of(room.edit(cmd)) == error_code::key_reused));
  BOOST_TEST(room.version() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_keyed_edit_is_not_remembered) {
  auto room = make_room();
  auto cmd = edit_of("alice", json::array({{{"op", "remove"}, {"path", "/x"}}}));
  cmd.key = "k";
  BOOST_TEST((code_of(room.edit(cmd)) == error_code::patch_failed));
  cmd.ops = json_to_value(json::array({set_op("/x", 1)}));
  BOOST_TEST(value_to_json(room.edit(cmd)->result)["version"] == 2u);
}

BOOST_AUTO_TEST_CASE(the_room_remembers_at_least_1024_keys) {
  auto room = make_room();
  for (int i = 0; i < 1100; ++i) {
    auto cmd = edit_of("alice", json::array({set_op("/n", i)}));
    cmd.key = "k" + std::to_string(i);
    BOOST_REQUIRE(room.edit(cmd).ok());
  }
  for (int i = 1100 - 1024; i < 1100; ++i) {
    auto cmd = edit_of("alice", json::array({set_op("/n", i)}));
    cmd.key = "k" + std::to_string(i);
    BOOST_REQUIRE(value_to_json(room.edit(cmd)->result)["replayed"] == true);
  }
  BOOST_TEST(room.version() == 1101u);
}

BOOST_AUTO_TEST_CASE(subscribe_without_since_answers_the_snapshot) {
  auto room = make_room();
  auto sub = room.subscribe({"r1", std::nullopt});
  BOOST_REQUIRE(sub.ok());
  BOOST_TEST(value_to_json(sub->result) ==
             json({{"room", "r1"}, {"version", 1}, {"snapshot", value_to_json(room.snapshot())}}));
}

BOOST_AUTO_TEST_CASE(subscribe_since_replays_the_retained_events) {
  auto room = make_room();
  room.join({"r1", "bob"});                                   // v2
  room.edit(edit_of("bob", json::array({set_op("/a", 1)})));  // v3
  room.leave({"r1", "bob"});                                  // v4
  auto from0 = room.subscribe({"r1", 0});
  BOOST_TEST(value_to_json(from0->result)["events"].size() == 3u);
  BOOST_TEST(value_to_json(from0->result)["events"][0]["version"] == 2u);
  BOOST_TEST(value_to_json(from0->result)["events"][1] == room.events().decoded()[1]);
  BOOST_TEST(value_to_json(from0->result)["version"] == 4u);
  auto from2 = room.subscribe({"r1", 2});
  BOOST_TEST(value_to_json(from2->result)["events"].size() == 2u);
  BOOST_TEST(value_to_json(from2->result)["events"][0]["version"] == 3u);
  auto current = room.subscribe({"r1", 4});
  BOOST_TEST(value_to_json(current->result) ==
             json({{"room", "r1"}, {"version", 4}, {"events", json::array()}}));
  BOOST_TEST((code_of(room.subscribe({"r1", 5})) == error_code::invalid_argument));
}

BOOST_AUTO_TEST_CASE(since_zero_on_a_new_room_replays_nothing) {
  auto room = make_room();
  auto sub = room.subscribe({"r1", 0});
  BOOST_TEST(value_to_json(sub->result) ==
             json({{"room", "r1"}, {"version", 1}, {"events", json::array()}}));
}

BOOST_AUTO_TEST_CASE(since_older_than_the_retained_events_resyncs) {
  limits lims;
  lims.retained_events = 3;
  auto room = make_room(json::object(), lims);
  for (int i = 0; i < 5; ++i) room.edit(edit_of("alice", json::array({set_op("/n", i)})));
  BOOST_TEST(room.events().size() == 3u);  // versions 4, 5, 6
  auto kept = room.subscribe({"r1", 3});
  BOOST_TEST(value_to_json(kept->result)["events"].size() == 3u);
  auto resync = room.subscribe({"r1", 2});
  BOOST_TEST(value_to_json(resync->result)["resync"] == true);
  BOOST_TEST(value_to_json(resync->result)["snapshot"] == value_to_json(room.snapshot()));
  BOOST_TEST(value_to_json(resync->result)["version"] == 6u);
  BOOST_TEST(!value_to_json(resync->result).contains("events"));
}

BOOST_AUTO_TEST_CASE(the_room_retains_at_least_1000_events) {
  auto room = make_room();
  for (int i = 0; i < 1200; ++i) room.edit(edit_of("alice", json::array({set_op("/n", i)})));
  BOOST_TEST(room.events().size() >= 1000u);
  auto sub = room.subscribe({"r1", 1201 - 1000});
  BOOST_TEST(value_to_json(sub->result)["events"].size() == 1000u);
  BOOST_TEST(value_to_json(sub->result)["events"][0]["version"] == 202u);
}

BOOST_AUTO_TEST_CASE(only_changes_make_events) {
  auto room = make_room();
  room.join({"r1", "alice"});                                                      // no change
  room.leave({"r1", "nobody"});                                                    // no change
  room.edit(edit_of("alice", json::array()));                                      // empty
  room.edit(edit_of("alice", json::array({{{"op", "remove"}, {"path", "/x"}}})));  // failed
  room.edit(edit_of("bob", json::array({set_op("/a", 1)})));                       // not a member
  BOOST_TEST(room.events().empty());
  BOOST_TEST(room.version() == 1u);
}

BOOST_AUTO_TEST_CASE(events_hold_consecutive_versions) {
  auto room = make_room();
  room.join({"r1", "bob"});
  room.edit(edit_of("bob", json::array({set_op("/a", 1)})));
  room.leave({"r1", "bob"});
  room.remove({"r1", "alice"});
  std::uint64_t expected = 2;
  for (const auto& event : room.events().decoded()) BOOST_TEST(event["version"] == expected++);
  BOOST_TEST(room.events().decoded().back()["type"] == "deleted");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
