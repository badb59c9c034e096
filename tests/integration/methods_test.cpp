// Every method against a real node: exact result shapes (docs/protocol.md) and
// every error code a single node can produce.
#include <boost/test/unit_test.hpp>

#include "tests/integration/test_support.hpp"

namespace rooms::testing {

BOOST_AUTO_TEST_SUITE(methods)

BOOST_AUTO_TEST_CASE(ping_hello_and_stats) {
  node_process node;
  auto client = node.connect();
  json pong = must(client.call("ping"));
  BOOST_TEST(pong == (json{{"pong", true}, {"node", pong["node"]}}));
  BOOST_TEST(pong["node"].is_string());
  json hello = must(client.call("hello", {{"client", "tests"}}));
  BOOST_TEST(hello["protocol"] == 1);
  BOOST_TEST(hello["features"] == json::array({"presence", "expire", "list"}));
  BOOST_TEST(hello["node"] == pong["node"]);
  BOOST_TEST(hello["server"].is_string());
  BOOST_TEST(hello.size() == 4u);
  json stats = must(client.call("stats"));
  for (const char* key :
       {"rooms", "connections", "subscriptions", "requests", "errors", "node", "rooms_expired"})
    BOOST_TEST(stats.contains(key), key);
  BOOST_TEST(stats["connections"] == 1);
  BOOST_TEST(stats["requests"]["ping"] == 1);
  BOOST_TEST(stats["requests"]["stats"] == 1);
}

BOOST_AUTO_TEST_CASE(create_get_join_leave_delete, *cluster_case) {
  node_process node;
  auto client = node.connect();
  json created = must(client.call("create", {{"user", "alice"}, {"data", {{"n", 1}}}}));
  const std::string room = created["room"];
  BOOST_TEST(room.size() == 36u);
  BOOST_TEST(created == (json{{"room", room},
                              {"owner", "alice"},
                              {"members", {"alice"}},
                              {"data", {{"n", 1}}},
                              {"version", 1}}));
  BOOST_TEST(must(client.call("get", {{"room", room}})) == created);
  json joined = must(client.call("join", {{"room", room}, {"user", "bob"}}));
  BOOST_TEST(joined["members"] == (json{"alice", "bob"}));
  BOOST_TEST(joined["version"] == 2);
  BOOST_TEST(must(client.call("join", {{"room", room}, {"user", "bob"}}))["version"] == 2);
  json left = must(client.call("leave", {{"room", room}, {"user", "alice"}}));
  BOOST_TEST(left["members"] == (json{"bob"}));
  BOOST_TEST(left["owner"] == "alice");
  BOOST_TEST(left["version"] == 3);
  BOOST_TEST(must(client.call("leave", {{"room", room}, {"user", "alice"}}))["version"] == 3);
  BOOST_TEST(code_of(client.call("delete", {{"room", room}, {"user", "bob"}})) == "forbidden");
  BOOST_TEST(must(client.call("delete", {{"room", room}, {"user", "alice"}})) ==
             (json{{"room", room}, {"deleted", true}, {"version", 4}}));
  for (const char* method : {"join", "leave", "delete"})
    BOOST_TEST(code_of(client.call(method, {{"room", room}, {"user", "alice"}})) == "not_found",
               method);
  BOOST_TEST(code_of(client.call("get", {{"room", room}})) == "not_found");
}

BOOST_AUTO_TEST_CASE(edits_and_their_errors, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice", {{"n", 1}});
  auto edit = [&](json ops, json extra = json::object()) {
    json params{{"room", room}, {"user", "alice"}, {"ops", std::move(ops)}};
    params.update(extra);
    return client.call("edit", params);
  };
  json snap = must(edit(json::array({{{"op", "set"}, {"path", "/s"}, {"value", "x"}}})));
  BOOST_TEST(snap["data"] == (json{{"n", 1}, {"s", "x"}}));
  BOOST_TEST(snap["version"] == 2);
  BOOST_TEST(must(edit(json::array()))["version"] == 2);
  BOOST_TEST(must(edit(json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 2}}}),
                       {{"reply", "version"}})) == (json{{"room", room}, {"version", 3}}));
  auto conflict = edit(json::array({{{"op", "remove"}, {"path", "/s"}}}), {{"if_version", 1}});
  BOOST_TEST(code_of(conflict) == "conflict");
  BOOST_TEST(conflict.error().details["version"] == 3);
  auto failed = edit(json::array(
      {{{"op", "test"}, {"path", "/n"}, {"value", 3}}, {{"op", "remove"}, {"path", "/missing"}}}));
  BOOST_TEST(code_of(failed) == "patch_failed");
  BOOST_TEST(failed.error().details["index"] == 1);
  auto malformed = edit(json::array({{{"op", "explode"}, {"path", "/n"}}}));
  BOOST_TEST(code_of(malformed) == "invalid_argument");
  BOOST_TEST(malformed.error().details["index"] == 0);
  json keyed_ops = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  BOOST_TEST(must(edit(keyed_ops, {{"key", "k1"}}))["version"] == 4);
  BOOST_TEST(must(edit(keyed_ops, {{"key", "k1"}, {"if_version", 1}})) ==
             (json{{"room", room}, {"version", 4}, {"replayed", true}}));
  BOOST_TEST(code_of(edit(json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 5}}}),
                          {{"key", "k1"}})) == "key_reused");
  BOOST_TEST(
      code_of(client.call("edit", {{"room", room}, {"user", "mallory"}, {"ops", json::array()}})) ==
      "not_member");
  BOOST_TEST(must(client.call("get", {{"room", room}}))["data"]["n"] == 4);
}

BOOST_AUTO_TEST_CASE(argument_and_method_errors) {
  node_process node;
  auto client = node.connect();
  BOOST_TEST(code_of(client.call("create", json::object())) == "invalid_argument");
  BOOST_TEST(code_of(client.call("create", {{"user", ""}})) == "invalid_argument");
  BOOST_TEST(code_of(client.call("create", {{"user", "a"}, {"data", json::array()}})) ==
             "invalid_argument");
  BOOST_TEST(code_of(client.call("get", {{"room", 5}})) == "invalid_argument");
  BOOST_TEST(code_of(client.call("teleport", {{"room", "x"}})) == "unknown_method");
  BOOST_TEST(code_of(client.call("get", {{"room", "00000000-0000-4000-8000-000000000000"}})) ==
             "not_found");
  BOOST_TEST(must(client.call("unsubscribe", {{"room", "00000000-0000-4000-8000-000000000000"}})) ==
             (json{{"room", "00000000-0000-4000-8000-000000000000"}, {"subscribed", false}}));
  json stats = must(client.call("stats"));
  BOOST_TEST(stats["errors"]["invalid_argument"] == 4);
  BOOST_TEST(stats["errors"]["unknown_method"] == 1);
  BOOST_TEST(stats["errors"]["not_found"] == 1);
  BOOST_TEST(stats["requests"]["other"] == 1);
}

BOOST_AUTO_TEST_CASE(a_misspelt_argument_never_makes_a_plain_edit, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice", {{"n", 0}});
  json ops = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  auto typo =
      client.call("edit", {{"room", room}, {"user", "alice"}, {"ops", ops}, {"if_verison", 1}});
  BOOST_TEST(code_of(typo) == "invalid_argument");
  BOOST_TEST(typo.error().message ==
             "unknown argument 'if_verison' of edit; did you mean 'if_version'?");
  auto wrong_name = client.call(
      "edit", {{"room", room}, {"user", "alice"}, {"ops", ops}, {"idempotency_key", "x"}});
  BOOST_TEST(code_of(wrong_name) == "invalid_argument");
  BOOST_TEST(wrong_name.error().message ==
             "unknown argument 'idempotency_key' of edit; did you mean 'key'?");
  auto on_get = client.call("get", {{"room", room}, {"presense", true}});
  BOOST_TEST(code_of(on_get) == "invalid_argument");
  BOOST_TEST(on_get.error().message.find("'presense' of get") != std::string::npos);
  // Nothing was applied.
  BOOST_TEST(must(client.call("get", {{"room", room}}))["version"] == 1);
}

BOOST_AUTO_TEST_CASE(idempotency_keys_belong_to_room_and_user, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice", {{"n", 0}});
  must(client.call("join", {{"room", room}, {"user", "bob"}}));
  json ops = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  auto edit = [&](const std::string& user, const std::string& in_room) {
    return client.call(
        "edit",
        {{"room", in_room}, {"user", user}, {"ops", ops}, {"key", "move-1"}, {"reply", "version"}});
  };
  BOOST_TEST(must(edit("alice", room)) == (json{{"room", room}, {"version", 3}}));
  // Bob's move under the same key is his own move, not a replay of Alice's.
  BOOST_TEST(must(edit("bob", room)) == (json{{"room", room}, {"version", 4}}));
  BOOST_TEST(must(edit("alice", room)) ==
             (json{{"room", room}, {"version", 3}, {"replayed", true}}));
  BOOST_TEST(must(edit("bob", room)) == (json{{"room", room}, {"version", 4}, {"replayed", true}}));
  // The same user and key in another room is another edit.
  const std::string other = create_room(client, "alice", {{"n", 0}});
  BOOST_TEST(must(edit("alice", other)) == (json{{"room", other}, {"version", 2}}));
  BOOST_TEST(must(client.call("get", {{"room", room}}))["data"]["n"] == 2);
}

BOOST_AUTO_TEST_CASE(size_limits_answer_too_large) {
  node_process node{{"--max-data-bytes", "64", "--max-ops", "2", "--max-members", "2"}};
  auto client = node.connect();
  auto big = client.call("create", {{"user", "a"}, {"data", {{"s", std::string(100, 'x')}}}});
  BOOST_TEST(code_of(big) == "too_large");
  const std::string room = create_room(client, "alice");
  json three_ops = json::array();
  for (int i = 0; i < 3; ++i) three_ops.push_back({{"op", "incr"}, {"path", "/n"}, {"by", 1}});
  BOOST_TEST(code_of(client.call(
                 "edit", {{"room", room}, {"user", "alice"}, {"ops", three_ops}})) == "too_large");
  json grow = json::array({{{"op", "set"}, {"path", "/s"}, {"value", std::string(100, 'x')}}});
  BOOST_TEST(code_of(client.call("edit", {{"room", room}, {"user", "alice"}, {"ops", grow}})) ==
             "too_large");
  must(client.call("join", {{"room", room}, {"user", "bob"}}));
  BOOST_TEST(code_of(client.call("join", {{"room", room}, {"user", "carol"}})) == "too_large");
  BOOST_TEST(must(client.call("get", {{"room", room}}))["version"] == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
