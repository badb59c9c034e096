// Presence against a real node (docs/protocol.md, section 12, Presence): entering, updating and
// leaving for every reason, the lists in subscribe and get, errors and limits, and entries that
// end with their connection. The cases labelled `cluster` also run across three nodes, where
// the setting connection, the subscriber and the room may each be on another node.
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

json next_presence(rooms_client& client) { return next_params(client, "presence"); }

json presence_args(const std::string& room, const std::string& user, const std::string& session,
                   json data) {
  return {{"room", room}, {"user", user}, {"session", session}, {"data", std::move(data)}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(presence)

BOOST_AUTO_TEST_CASE(entries_enter_update_and_leave_in_order_with_events, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  const std::string room = create_room(owner, "alice");
  must(owner.call("join", {{"room", room}, {"user", "bob"}}));
  json sub = must(watcher.call("subscribe", {{"room", room}}));
  BOOST_TEST(sub["presence"] == json::array());

  json set = must(owner.call("presence", presence_args(room, "bob", "phone", {{"x", 1}})));
  BOOST_TEST(set ==
             (json{{"room", room}, {"user", "bob"}, {"session", "phone"}, {"present", true}}));
  must(owner.call("presence", presence_args(room, "bob", "phone", {{"x", 1}})));  // renew: silent
  must(owner.call("presence", presence_args(room, "bob", "phone", {{"x", 2}})));
  must(owner.call("edit", {{"room", room},
                           {"user", "bob"},
                           {"ops", json::array({{{"op", "set"}, {"path", "/a"}, {"value", 1}}})}}));
  json removed = must(owner.call("presence", presence_args(room, "bob", "phone", nullptr)));
  BOOST_TEST(removed["present"] == false);
  must(owner.call("presence", presence_args(room, "bob", "phone", nullptr)));  // absent: nothing

  BOOST_TEST(next_presence(watcher) == (json{{"room", room},
                                             {"user", "bob"},
                                             {"session", "phone"},
                                             {"state", "entered"},
                                             {"data", {{"x", 1}}}}));
  BOOST_TEST(next_presence(watcher)["data"] == (json{{"x", 2}}));
  auto edited = watcher.next_notification(10s);
  BOOST_REQUIRE(edited);
  BOOST_TEST(edited->method == "event");  // in the order the room applied them
  BOOST_TEST(next_presence(watcher) == (json{{"room", room},
                                             {"user", "bob"},
                                             {"session", "phone"},
                                             {"state", "left"},
                                             {"reason", "explicit"}}));
  BOOST_TEST(!watcher.next_notification(200ms));
}

BOOST_AUTO_TEST_CASE(subscribe_and_get_list_the_entries_in_the_order_they_entered, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  must(client.call("join", {{"room", room}, {"user", "bob"}}));
  must(client.call("presence", presence_args(room, "bob", "", {{"s", "away"}})));
  must(client.call("presence", presence_args(room, "alice", "tab-1", json::object())));
  const json entries =
      json::array({{{"user", "bob"}, {"session", ""}, {"data", {{"s", "away"}}}},
                   {{"user", "alice"}, {"session", "tab-1"}, {"data", json::object()}}});
  BOOST_TEST(must(client.call("get", {{"room", room}, {"presence", true}}))["presence"] == entries);
  BOOST_TEST(!must(client.call("get", {{"room", room}})).contains("presence"));
  BOOST_TEST(must(client.call("subscribe", {{"room", room}}))["presence"] == entries);
  BOOST_TEST(must(client.call("subscribe", {{"room", room}, {"since", 1}}))["presence"] == entries);
  // The version did not move: presence is not room data.
  BOOST_TEST(must(client.call("get", {{"room", room}}))["version"] == 2);
}

BOOST_AUTO_TEST_CASE(a_closed_connection_and_a_leaving_user_end_their_entries, *cluster_case) {
  node_process node;
  auto watcher = node.connect();
  auto keeper = node.connect();
  std::string room;
  {
    auto owner = node.connect();
    room = create_room(owner, "alice");
    must(owner.call("join", {{"room", room}, {"user", "bob"}}));
    must(watcher.call("subscribe", {{"room", room}}));
    must(owner.call("presence", presence_args(room, "alice", "a", json::object())));
    must(keeper.call("presence", presence_args(room, "bob", "b1", json::object())));
    must(keeper.call("presence", presence_args(room, "bob", "b2", json::object())));
    for (int i = 0; i < 3; ++i) BOOST_TEST(next_presence(watcher)["state"] == "entered");
  }  // the owner's connection closes
  BOOST_TEST(next_presence(watcher) == (json{{"room", room},
                                             {"user", "alice"},
                                             {"session", "a"},
                                             {"state", "left"},
                                             {"reason", "disconnect"}}));
  must(keeper.call("leave", {{"room", room}, {"user", "bob"}}));
  auto left_event = watcher.next_notification(10s);
  BOOST_REQUIRE(left_event);
  BOOST_TEST(left_event->method == "event");
  BOOST_TEST(next_presence(watcher)["reason"] == "left");
  BOOST_TEST(next_presence(watcher)["session"] == "b2");
  BOOST_TEST(must(keeper.call("get", {{"room", room}, {"presence", true}}))["presence"] ==
             json::array());
}

BOOST_AUTO_TEST_CASE(an_entry_with_a_ttl_expires_unless_renewed, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  must(client.call("subscribe", {{"room", room}}));
  json args = presence_args(room, "alice", "", json::object());
  args["ttl_ms"] = 1000;
  must(client.call("presence", args));
  BOOST_TEST(next_presence(client)["state"] == "entered");
  json left = next_presence(client);  // within the 10 s the helper waits
  BOOST_TEST(left["reason"] == "expired");
  BOOST_TEST(must(client.call("get", {{"room", room}, {"presence", true}}))["presence"] ==
             json::array());
}

BOOST_AUTO_TEST_CASE(bad_presence_calls_get_clear_errors, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  BOOST_TEST(code_of(client.call("presence", presence_args(room, "mallory", "", json::object()))) ==
             "not_member");
  BOOST_TEST(code_of(client.call("presence", presence_args("00000000-0000-4000-8000-000000000000",
                                                           "alice", "", json::object()))) ==
             "not_found");
  BOOST_TEST(code_of(client.call("presence", presence_args(room, "alice", "", json::array()))) ==
             "invalid_argument");
  json args = presence_args(room, "alice", "", json::object());
  args["ttl_ms"] = 999;
  BOOST_TEST(code_of(client.call("presence", args)) == "invalid_argument");
  BOOST_TEST(code_of(client.call("presence", presence_args(room, "alice", std::string(129, 's'),
                                                           json::object()))) == "invalid_argument");
  BOOST_TEST(code_of(client.call("presence", presence_args(room, "alice", "",
                                                           {{"big", std::string(2000, 'x')}}))) ==
             "too_large");
  BOOST_TEST(code_of(client.call("get", {{"room", room}, {"presence", 1}})) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(a_room_holds_at_most_max_presence_entries) {
  node_process node{{"--max-presence", "2"}};
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  must(client.call("presence", presence_args(room, "alice", "1", json::object())));
  must(client.call("presence", presence_args(room, "alice", "2", json::object())));
  BOOST_TEST(code_of(client.call("presence", presence_args(room, "alice", "3", json::object()))) ==
             "too_large");
  // Replacing an entry is not a new one.
  must(client.call("presence", presence_args(room, "alice", "2", {{"x", 1}})));
  BOOST_TEST(must(client.call("stats"))["presence"] == 2);
  must(client.call("presence", presence_args(room, "alice", "1", nullptr)));
  BOOST_TEST(must(client.call("stats"))["presence"] == 1);
}

BOOST_AUTO_TEST_CASE(stats_count_the_entries_of_the_node_until_their_connection_closes) {
  node_process node;
  auto observer = node.connect();
  {
    auto client = node.connect();
    const std::string room = create_room(client, "alice");
    must(client.call("presence", presence_args(room, "alice", "", json::object())));
    BOOST_TEST(must(observer.call("stats"))["presence"] == 1);
  }
  // The room hears of the closed connection a moment later.
  int entries = 1;
  for (int i = 0; i < 100 && entries != 0; ++i) {
    entries = must(observer.call("stats"))["presence"].get<int>();
    if (entries != 0) std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(entries == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
