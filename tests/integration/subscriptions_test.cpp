// Subscriptions against a real node (docs/protocol.md): snapshot and `since` replies,
// event shapes, order without gaps under concurrent editors, unsubscribe, and lagging.
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/raw_socket.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

json incr_ops(int by = 1) { return json::array({{{"op", "incr"}, {"path", "/n"}, {"by", by}}}); }

// The next event notification's params (fails the test if none comes in time).
json next_event(rooms_client& client) {
  auto note = client.next_notification(10s);
  BOOST_REQUIRE_MESSAGE(note, "no notification arrived");
  BOOST_REQUIRE_EQUAL(note->method, "event");
  return note->params;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subscriptions)

BOOST_AUTO_TEST_CASE(events_have_their_exact_fields, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  json sub = must(client.call("subscribe", {{"room", room}}));
  BOOST_TEST(sub == (json{{"room", room},
                          {"version", 1},
                          {"snapshot", must(client.call("get", {{"room", room}}))},
                          {"presence", json::array()}}));
  must(client.call("join", {{"room", room}, {"user", "bob"}}));
  must(client.call("join", {{"room", room}, {"user", "bob"}}));  // no change, no event
  json ops = json::array({{{"op", "set"}, {"path", "/a"}, {"value", 1.5}}});
  must(client.call("edit", {{"room", room}, {"user", "bob"}, {"ops", ops}}));
  must(client.call("edit", {{"room", room}, {"user", "bob"}, {"ops", json::array()}}));
  must(client.call("leave", {{"room", room}, {"user", "bob"}}));
  must(client.call("delete", {{"room", room}, {"user", "alice"}}));
  BOOST_TEST(next_event(client) ==
             (json{{"room", room}, {"version", 2}, {"type", "joined"}, {"user", "bob"}}));
  BOOST_TEST(
      next_event(client) ==
      (json{{"room", room}, {"version", 3}, {"type", "edited"}, {"user", "bob"}, {"ops", ops}}));
  BOOST_TEST(next_event(client) ==
             (json{{"room", room}, {"version", 4}, {"type", "left"}, {"user", "bob"}}));
  BOOST_TEST(next_event(client) ==
             (json{{"room", room}, {"version", 5}, {"type", "deleted"}, {"user", "alice"}}));
  BOOST_TEST(must(client.call("stats"))["subscriptions"] == 0);
  BOOST_TEST(!client.next_notification(200ms));
}

BOOST_AUTO_TEST_CASE(since_replays_or_resyncs, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  for (int i = 0; i < 3; ++i)
    must(client.call("edit", {{"room", room}, {"user", "alice"}, {"ops", incr_ops()}}));
  json replay = must(client.call("subscribe", {{"room", room}, {"since", 0}}));
  BOOST_TEST(replay["version"] == 4);
  BOOST_TEST(replay["events"].size() == 3u);
  BOOST_TEST(replay["events"][0]["version"] == 2);
  BOOST_TEST(replay["events"][0]["ops"] == incr_ops());
  BOOST_TEST(must(client.call("subscribe", {{"room", room}, {"since", 4}}))["events"] ==
             json::array());
  BOOST_TEST(code_of(client.call("subscribe", {{"room", room}, {"since", 5}})) ==
             "invalid_argument");
  // Past the 1000 retained events, `since: 0` answers with a snapshot and resync.
  for (int i = 0; i < 1100; ++i)
    BOOST_REQUIRE(
        client
            .send_request(
                "edit",
                {{"room", room}, {"user", "alice"}, {"ops", incr_ops()}, {"reply", "version"}})
            .ok());
  // The client is subscribed: its events come interleaved with the 1100 responses.
  for (int responses = 0; responses < 1100;) {
    auto message = client.read_message(10s);
    BOOST_REQUIRE(message.ok());
    if (std::holds_alternative<response>(*message)) ++responses;
  }
  auto other = node.connect();
  json resync = must(other.call("subscribe", {{"room", room}, {"since", 0}}));
  BOOST_TEST(resync["resync"] == true);
  BOOST_TEST(resync["version"] == 1104);
  BOOST_TEST(resync["snapshot"]["data"]["n"] == 1103);
}

BOOST_AUTO_TEST_CASE(unsubscribe_stops_events_and_resubscribe_never_duplicates, *cluster_case) {
  node_process node;
  auto client = node.connect();
  auto editor = node.connect();
  const std::string room = create_room(editor, "alice");
  must(client.call("subscribe", {{"room", room}}));
  must(client.call("subscribe", {{"room", room}}));
  must(editor.call("edit", {{"room", room}, {"user", "alice"}, {"ops", incr_ops()}}));
  BOOST_TEST(next_event(client)["version"] == 2);
  BOOST_TEST(must(client.call("unsubscribe", {{"room", room}})) ==
             (json{{"room", room}, {"subscribed", false}}));
  must(editor.call("edit", {{"room", room}, {"user", "alice"}, {"ops", incr_ops()}}));
  BOOST_TEST(!client.next_notification(300ms));
  BOOST_TEST(must(client.call("subscribe", {{"room", room}, {"since", 2}}))["events"].size() == 1u);
  must(editor.call("edit", {{"room", room}, {"user", "alice"}, {"ops", incr_ops()}}));
  BOOST_TEST(next_event(client)["version"] == 4);
  BOOST_TEST(!client.next_notification(300ms));
}

BOOST_AUTO_TEST_CASE(subscription_limit_per_connection) {
  node_process node{{"--max-subscriptions", "2"}};
  auto client = node.connect();
  std::vector<std::string> rooms;
  for (int i = 0; i < 3; ++i) rooms.push_back(create_room(client, "alice"));
  must(client.call("subscribe", {{"room", rooms[0]}}));
  must(client.call("subscribe", {{"room", rooms[1]}}));
  must(client.call("subscribe", {{"room", rooms[1]}}));  // already followed: no new slot
  BOOST_TEST(code_of(client.call("subscribe", {{"room", rooms[2]}})) == "too_large");
  must(client.call("unsubscribe", {{"room", rooms[0]}}));
  must(client.call("subscribe", {{"room", rooms[2]}}));
  BOOST_TEST(must(client.call("stats"))["subscriptions"] == 2);
}

BOOST_AUTO_TEST_CASE(two_editors_one_subscriber_sees_every_version_in_order, *cluster_case) {
  node_process node;
  auto watcher = node.connect();
  auto setup = node.connect();
  const std::string room = create_room(setup, "alice");
  must(setup.call("join", {{"room", room}, {"user", "bob"}}));
  must(watcher.call("subscribe", {{"room", room}}));
  constexpr int edits_each = 300;
  auto edit_many = [&](const std::string& user) {
    auto client = node.connect();
    for (int i = 0; i < edits_each; ++i)
      BOOST_REQUIRE(
          client
              .send_request(
                  "edit",
                  {{"room", room}, {"user", user}, {"ops", incr_ops()}, {"reply", "version"}})
              .ok());
    for (int i = 0; i < edits_each; ++i) BOOST_REQUIRE(client.read_message(20s).ok());
  };
  std::thread a(edit_many, "alice");
  std::thread b(edit_many, "bob");
  a.join();
  b.join();
  for (int version = 3; version < 3 + 2 * edits_each; ++version)
    BOOST_REQUIRE_EQUAL(next_event(watcher)["version"].get<int>(), version);
  BOOST_TEST(must(watcher.call("get", {{"room", room}}))["data"]["n"] == 2 * edits_each);
}

BOOST_AUTO_TEST_CASE(a_subscriber_that_never_reads_lags_and_the_node_stays_fine) {
  node_process node{{"--max-outbound-bytes", "65536"}};
  auto editor = node.connect();
  const std::string room = create_room(editor, "alice");
  raw_socket slow{node.port(), 4096};
  slow.send(pack({0, 1, "subscribe", {{{"room", room}}}}));
  BOOST_REQUIRE_EQUAL(slow.read(1, 10s).size(), 1u);
  // About 12 MiB of events: more than the socket buffers and the outbound limit together.
  const std::string blob(6000, 'x');
  constexpr int edits = 2000;
  for (int i = 0; i < edits; ++i) {
    json ops = json::array({{{"op", "set"}, {"path", "/blob"}, {"value", blob}}});
    BOOST_REQUIRE(
        editor
            .send_request("edit",
                          {{"room", room}, {"user", "alice"}, {"ops", ops}, {"reply", "version"}})
            .ok());
  }
  for (int i = 0; i < edits; ++i) BOOST_REQUIRE(editor.read_message(30s).ok());
  BOOST_TEST(must(editor.call("ping"))["pong"] == true);
  // Now read everything the slow subscriber was sent: events in order, then `lagged`.
  slow.send(pack({0, 2, "ping", json::array()}));
  std::uint64_t last = 1;
  std::optional<json> lagged;
  bool pong = false;
  while (!pong) {
    auto messages = slow.read(1, 10s);
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    const json& m = messages[0];
    if (m[0] == 1) {
      pong = true;
    } else if (m[1] == "event") {
      BOOST_REQUIRE(!lagged);
      BOOST_REQUIRE_EQUAL(m[2][0]["version"].get<std::uint64_t>(), last + 1);
      last = m[2][0]["version"];
    } else {
      BOOST_REQUIRE_EQUAL(m[1], "lagged");
      lagged = m[2][0];
    }
  }
  BOOST_REQUIRE(lagged);
  BOOST_TEST(*lagged == (json{{"room", room}, {"version", last}}));
  BOOST_TEST(last < 1 + edits);
  json stats = must(editor.call("stats"));
  BOOST_TEST(stats["lagged"] == 1);
  BOOST_TEST(stats["subscriptions"] == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
