// Expiry against a real node (docs/protocol.md, section 11): policies on create and through
// `expire`, their event and snapshot, and rooms that expire when idle or empty, active,
// holding presence, hibernated or parked. Cases labelled `cluster` also run across three nodes.
#include <chrono>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "protocol/room_expire.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

std::uint64_t now_ms() { return wall_clock_ms(); }

/// Waits (at most `limit`) for the `deleted` event of an expiry, and checks its shape.
json expect_expired(rooms_client& watcher, const std::string& room, const std::string& owner) {
  json event;
  while (!event.is_object() || event["type"] != "deleted") {
    auto note = watcher.next_notification(std::chrono::seconds(10));
    BOOST_REQUIRE_MESSAGE(note, "no notification arrived");
    if (note->method == "event") event = note->params;
  }
  BOOST_TEST(event["room"] == room);
  BOOST_TEST(event["user"] == owner);
  BOOST_TEST(event["reason"] == "expired");
  return event;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(expire)

BOOST_AUTO_TEST_CASE(policies_are_set_cleared_announced_and_shown, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  const std::uint64_t before = now_ms();
  json created = must(owner.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 600000}}}}));
  const std::string room = created["room"].get<std::string>();
  BOOST_TEST(created["expire"]["idle_ms"] == 600000);
  BOOST_TEST(!created["expire"].contains("empty_ms"));
  const auto at = created["expire"]["at_ms"].get<std::uint64_t>();
  BOOST_TEST(at >= before + 600000);
  BOOST_TEST(at <= now_ms() + 600000);
  must(watcher.call("subscribe", {{"room", room}}));
  must(owner.call("join", {{"room", room}, {"user", "bob"}}));

  BOOST_TEST(code_of(owner.call("expire", {{"room", room}, {"user", "bob"}, {"empty_ms", 5000}})) ==
             "forbidden");
  json set = must(owner.call("expire", {{"room", room}, {"user", "alice"}, {"empty_ms", 5000}}));
  BOOST_TEST(set["version"] == 3);
  BOOST_TEST(set["expire"]["empty_ms"] == 5000);
  BOOST_TEST(set["expire"]["idle_ms"] == 600000);
  // Members hold the room: only the idle deadline can fire.
  BOOST_TEST(set["expire"]["at_ms"].get<std::uint64_t>() >= at);
  json cleared =
      must(owner.call("expire", {{"room", room}, {"user", "alice"}, {"idle_ms", nullptr}}));
  BOOST_TEST(cleared["version"] == 4);
  BOOST_TEST(cleared["expire"] == (json{{"empty_ms", 5000}, {"at_ms", nullptr}}));
  // Nothing changes: no version, no event.
  json same = must(owner.call("expire", {{"room", room}, {"user", "alice"}, {"empty_ms", 5000}}));
  BOOST_TEST(same["version"] == 4);
  json none =
      must(owner.call("expire", {{"room", room}, {"user", "alice"}, {"empty_ms", nullptr}}));
  BOOST_TEST(none["version"] == 5);
  BOOST_TEST(!none.contains("expire"));

  BOOST_TEST(next_params(watcher, "event")["type"] == "joined");
  json event = next_params(watcher, "event");
  BOOST_TEST(event == (json{{"room", room},
                            {"version", 3},
                            {"type", "expire"},
                            {"user", "alice"},
                            {"expire", {{"idle_ms", 600000}, {"empty_ms", 5000}}}}));
  BOOST_TEST(next_params(watcher, "event")["expire"] == (json{{"empty_ms", 5000}}));
  BOOST_TEST(next_params(watcher, "event")["expire"] == json::object());
  json replay = must(watcher.call("subscribe", {{"room", room}, {"since", 2}}));
  BOOST_REQUIRE_EQUAL(replay["events"].size(), 3u);
  BOOST_TEST(replay["events"][0] == event);
}

BOOST_AUTO_TEST_CASE(bad_policies_are_refused, *cluster_case) {
  node_process node;
  auto client = node.connect();
  for (const json& bad :
       {json{{"idle_ms", 999}}, json{{"idle_ms", 31536000001}}, json{{"empty_ms", "soon"}},
        json{{"empty_ms", -5}}, json{{"idle_ms", 1500.5}}, json{{"idle", 5000}}, json(5000)})
    BOOST_TEST(
        code_of(client.call("create", {{"user", "alice"}, {"expire", bad}})) == "invalid_argument",
        bad.dump());
  // The bounds themselves are accepted.
  must(client.call(
      "create", {{"user", "alice"}, {"expire", {{"idle_ms", 1000}, {"empty_ms", 31536000000}}}}));
  const std::string room = create_room(client, "alice");
  BOOST_TEST(code_of(client.call("expire", {{"room", room}, {"user", "alice"}, {"idle_ms", 0}})) ==
             "invalid_argument");
  BOOST_TEST(
      code_of(client.call("expire", {{"room", room}, {"user", "alice"}, {"idel_ms", 5000}})) ==
      "invalid_argument");
  BOOST_TEST(must(client.call("get", {{"room", room}}))["version"] == 1);
  must(client.call("delete", {{"room", room}, {"user", "alice"}}));
  BOOST_TEST(code_of(client.call(
                 "expire", {{"room", room}, {"user", "alice"}, {"idle_ms", 5000}})) == "not_found");
}

BOOST_AUTO_TEST_CASE(an_idle_room_expires_within_two_seconds, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  json created = must(owner.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 1000}}}}));
  const std::string room = created["room"].get<std::string>();
  const auto at = created["expire"]["at_ms"].get<std::uint64_t>();
  must(watcher.call("subscribe", {{"room", room}}));
  json event = expect_expired(watcher, room, "alice");
  const std::uint64_t seen = now_ms();
  BOOST_TEST(event["version"] == 2);
  BOOST_TEST(seen >= at);
  BOOST_TEST(seen <= at + 2000);
  BOOST_TEST(code_of(owner.call("get", {{"room", room}})) == "not_found");
}

BOOST_AUTO_TEST_CASE(changes_move_the_idle_deadline, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  const std::string room =
      must(owner.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 1500}}}}))["room"]
          .get<std::string>();
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(400ms);
    must(owner.call("edit", {{"room", room},
                             {"user", "alice"},
                             {"ops", {{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}}}));
  }
  json snapshot = must(owner.call("get", {{"room", room}}));
  BOOST_TEST(snapshot["data"]["n"] == 8);
  BOOST_TEST(snapshot["expire"]["at_ms"].get<std::uint64_t>() > now_ms() + 1000);
}

BOOST_AUTO_TEST_CASE(an_empty_room_expires_counted_from_the_change_that_emptied_it, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  const std::string room =
      must(owner.call("create", {{"user", "alice"}, {"expire", {{"empty_ms", 1000}}}}))["room"]
          .get<std::string>();
  must(watcher.call("subscribe", {{"room", room}}));
  json snapshot = must(owner.call("get", {{"room", room}}));
  BOOST_TEST(snapshot["expire"]["at_ms"].is_null());
  // Members hold it.
  std::this_thread::sleep_for(1500ms);
  must(owner.call("join", {{"room", room}, {"user", "bob"}}));
  must(owner.call("leave", {{"room", room}, {"user", "alice"}}));
  json left = must(owner.call("leave", {{"room", room}, {"user", "bob"}}));
  const std::uint64_t emptied = now_ms();
  const auto at = left["expire"]["at_ms"].get<std::uint64_t>();
  BOOST_TEST(at + 50 >= emptied + 1000);
  BOOST_TEST(at <= emptied + 1000);
  json event = expect_expired(watcher, room, "alice");
  BOOST_TEST(event["version"] == 5);
  BOOST_TEST(now_ms() <= at + 2000);
}

BOOST_AUTO_TEST_CASE(presence_keeps_a_room_from_being_idle, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  const std::string room =
      must(owner.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 1000}}}}))["room"]
          .get<std::string>();
  must(watcher.call("subscribe", {{"room", room}}));
  must(owner.call("presence", {{"room", room}, {"user", "alice"}, {"data", {{"at", 1}}}}));
  std::this_thread::sleep_for(2500ms);
  json held = must(owner.call("get", {{"room", room}}));
  BOOST_TEST(held["version"] == 1);
  BOOST_TEST(held["expire"]["at_ms"].get<std::uint64_t>() >= now_ms() + 900);
  must(owner.call("presence", {{"room", room}, {"user", "alice"}, {"data", nullptr}}));
  const std::uint64_t left = now_ms();
  json event = expect_expired(watcher, room, "alice");
  BOOST_TEST(event["version"] == 2);
  BOOST_TEST(now_ms() >= left + 900);
}

BOOST_AUTO_TEST_CASE(hibernated_rooms_expire_and_are_counted) {
  node_process node({"--hibernate-after-ms", "100"});
  auto client = node.connect();
  std::vector<std::string> rooms;
  for (int i = 0; i < 20; ++i)
    rooms.push_back(
        must(client.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 1500}}}}))["room"]
            .get<std::string>());
  const std::string kept = create_room(client, "alice");
  std::this_thread::sleep_for(1000ms);
  BOOST_TEST(must(client.call("stats"))["rooms"].get<int>() < 21);  // hibernated
  std::this_thread::sleep_for(2500ms);
  json stats = must(client.call("stats"));
  BOOST_TEST(stats["rooms_expired"] == 20);
  for (const auto& room : rooms)
    BOOST_TEST(code_of(client.call("get", {{"room", room}})) == "not_found");
  BOOST_TEST(code_of(client.call("get", {{"room", kept}})) == "ok");
}

BOOST_AUTO_TEST_CASE(parked_rooms_expire_without_storage) {
  node_process node({"--durability", "none", "--hibernate-after-ms", "100"});
  auto client = node.connect();
  const std::string room =
      must(client.call("create", {{"user", "alice"}, {"expire", {{"idle_ms", 1200}}}}))["room"]
          .get<std::string>();
  std::this_thread::sleep_for(600ms);
  BOOST_TEST(must(client.call("stats"))["rooms_parked"] == 1);
  std::this_thread::sleep_for(2500ms);
  BOOST_TEST(must(client.call("stats"))["rooms_expired"] == 1);
  BOOST_TEST(code_of(client.call("get", {{"room", room}})) == "not_found");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
