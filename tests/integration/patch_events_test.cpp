// `subscribe` with `patch: true` against a real node (docs/protocol.md, section 6): a replica
// kept by applying each event's patch with an independent RFC 6902 implementation (nlohmann's
// json::patch) equals `get` after every edit, for every op kind and for the edits of the public
// RFC 6902 suite; replays through `since` carry the patches; subscriptions that did not ask
// never see one. The cases labelled `cluster` also run across three nodes.
#include <fstream>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

json edit_args(const std::string& room, const std::string& user, json ops) {
  return {{"room", room}, {"user", user}, {"ops", std::move(ops)}};
}

json next_event(rooms_client& client) { return next_params(client, "event"); }

// Byte-exact: same values with the same MessagePack types (2 is not 2.0, true is not 1).
bool same_bytes(const json& a, const json& b) { return to_msgpack_bytes(a) == to_msgpack_bytes(b); }

// A client that keeps a replica of a room's data from `patch: true` events only.
struct replica {
  rooms_client& client;
  std::string room;
  json data;
  std::uint64_t version = 0;

  replica(rooms_client& c, const std::string& r) : client(c), room(r) {
    json sub = must(client.call("subscribe", {{"room", room}, {"patch", true}}));
    data = sub["snapshot"]["data"];
    version = sub["version"].get<std::uint64_t>();
  }

  // Takes the next event, which must be version + 1, and applies its patch.
  json follow() {
    json event = next_event(client);
    BOOST_REQUIRE_EQUAL(event["room"], room);
    BOOST_REQUIRE_EQUAL(event["version"].get<std::uint64_t>(), version + 1);
    ++version;
    if (event["type"] == "edited") {
      BOOST_REQUIRE_MESSAGE(event.contains("patch"), event.dump());
      data = data.patch(event["patch"]);
    }
    return event;
  }
};

// Every op kind of docs/protocol.md section 5, each edit chosen to make the patch differ from
// the ops.
const json op_kind_edits = json::parse(R"([
  [{"op":"set","path":"/board/cells/A1","value":5}],
  [{"op":"incr","path":"/board/cells/A1","by":2}],
  [{"op":"incr","path":"/counters/new/n","by":1.5}],
  [{"op":"set","path":"/log","value":[]},{"op":"add","path":"/log/-","value":"a"},
   {"op":"add","path":"/log/-","value":{"t":true}}],
  [{"op":"add","path":"/log/0","value":0}],
  [{"op":"set","path":"/log/-","value":2.0}],
  [{"op":"merge","path":"/board","value":{"cells":{"A1":null,"B2":[1]},"title":"x","gone":null}}],
  [{"op":"merge","path":"/fresh/deep","value":{"a":{"b":null},"c":1}}],
  [{"op":"move","from":"/log/0","path":"/log/2"}],
  [{"op":"move","from":"/board/title","path":"/title"}],
  [{"op":"copy","from":"/board","path":"/board_copy"}],
  [{"op":"test","path":"/title","value":"x"}],
  [{"op":"test","path":"/log/1","value":{"t":true}},{"op":"remove","path":"/log/1"}],
  [{"op":"replace","path":"/title","value":null}],
  [{"op":"add","path":"/a~1b","value":{"~":1}}],
  [{"op":"remove","path":"/a~1b/~0"}],
  [{"op":"set","path":"/bin","value":1},{"op":"incr","path":"/bin","by":-3}],
  [{"op":"set","path":"","value":{"restart":[1,2,3]}}],
  [{"op":"add","path":"/restart/1","value":"mid"},{"op":"remove","path":"/restart/0"}]
])");

const std::string suite_dir = std::string{ROOMS_CONFORMANCE_DIR} + "/";

json load_suite(const std::string& name) {
  std::ifstream in(suite_dir + name);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << suite_dir + name);
  return json::parse(in);
}

// The suite's ops with every JSON Pointer under "/doc" (its README's rule for a map root).
json under_doc(json patch) {
  for (auto& op : patch)
    for (const char* member : {"path", "from"})
      if (op.is_object() && op.contains(member) && op[member].is_string()) {
        std::string& pointer = op[member].get_ref<std::string&>();
        if (pointer.empty() || pointer.front() == '/') pointer = "/doc" + pointer;
      }
  return patch;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(patch_events)

BOOST_AUTO_TEST_CASE(a_replica_from_patches_equals_get_after_every_op_kind, *cluster_case) {
  node_process node;
  auto backend = node.connect();
  auto follower = node.connect();
  auto plain = node.connect();
  const std::string room = create_room(backend, "alice", {{"seed", 1}});
  replica copy(follower, room);
  must(plain.call("subscribe", {{"room", room}}));
  for (const auto& ops : op_kind_edits) {
    must(backend.call("edit", edit_args(room, "alice", ops)));
    const json event = copy.follow();
    BOOST_TEST(event["ops"] == ops);  // the ops stay as sent
    const json data = must(backend.call("get", {{"room", room}}))["data"];
    BOOST_CHECK_MESSAGE(same_bytes(copy.data, data), ops.dump()
                                                         << ": the replica is " << copy.data.dump()
                                                         << ", get has " << data.dump());
    for (const auto& op : event["patch"]) {
      BOOST_TEST((op["op"] == "add" || op["op"] == "remove" || op["op"] == "replace"));
      BOOST_TEST(!op["path"].get<std::string>().ends_with("/-"));
    }
    // A subscription that did not ask gets the same event without the patch.
    json plain_event = next_event(plain);
    BOOST_TEST(!plain_event.contains("patch"));
    json without = event;
    without.erase("patch");
    BOOST_TEST(plain_event == without);
  }
  // Only edits carry patches.
  must(backend.call("join", {{"room", room}, {"user", "bob"}}));
  BOOST_TEST(!copy.follow().contains("patch"));
}

BOOST_AUTO_TEST_CASE(since_replays_carry_the_patches_that_were_sent_live, *cluster_case) {
  node_process node;
  auto backend = node.connect();
  auto live = node.connect();
  const std::string room = create_room(backend, "alice", {{"n", 0}});
  replica copy(live, room);
  std::vector<json> live_events;
  for (int i = 0; i < 5; ++i) {
    must(backend.call("edit", edit_args(room, "alice",
                                        {{{"op", "incr"}, {"path", "/n"}, {"by", i}},
                                         {{"op", "add"}, {"path", "/l"}, {"value", i}}})));
    live_events.push_back(copy.follow());
  }
  auto late = node.connect();
  json replay = must(late.call("subscribe", {{"room", room}, {"since", 1}, {"patch", true}}));
  BOOST_REQUIRE_EQUAL(replay["events"].size(), 5u);
  json data = {{"n", 0}};
  for (std::size_t i = 0; i < 5; ++i) {
    BOOST_TEST(replay["events"][i] == live_events[i]);
    data = data.patch(replay["events"][i]["patch"]);
  }
  BOOST_TEST(same_bytes(data, must(backend.call("get", {{"room", room}}))["data"]));
  json unpatched = must(late.call("subscribe", {{"room", room}, {"since", 3}}));
  BOOST_REQUIRE_EQUAL(unpatched["events"].size(), 3u);
  BOOST_TEST(!unpatched["events"][0].contains("patch"));
  // Subscribing again with patch: true turns them back on for live events.
  must(late.call("subscribe", {{"room", room}, {"since", 6}, {"patch", true}}));
  must(backend.call("edit", edit_args(room, "alice", {{{"op", "remove"}, {"path", "/l"}}})));
  BOOST_TEST(next_event(late)["patch"] == json::parse(R"([{"op":"remove","path":"/l"}])"));
}

BOOST_AUTO_TEST_CASE(the_rfc_suite_edits_replay_from_their_patches, *cluster_case) {
  node_process node;
  auto backend = node.connect();
  auto follower = node.connect();
  int replayed = 0;
  int refused = 0;
  for (const char* file : {"tests.json", "spec_tests.json"}) {
    for (const auto& test : load_suite(file)) {
      if (test.value("disabled", false)) continue;
      const std::string room = create_room(backend, "alice", {{"doc", test.at("doc")}});
      replica copy(follower, room);
      auto edited = backend.call("edit", edit_args(room, "alice", under_doc(test.at("patch"))));
      if (!test.contains("expected")) {
        BOOST_TEST(!edited.ok());  // no event: the next one checked is the unsubscribe's answer
        ++refused;
      } else {
        BOOST_REQUIRE_MESSAGE(edited.ok(), test.dump());
        if (!test.at("patch").empty()) copy.follow();  // an empty edit makes no event
        const json data = must(backend.call("get", {{"room", room}}))["data"];
        BOOST_CHECK_MESSAGE(same_bytes(copy.data, data),
                            test.dump() << ": the replica is " << copy.data.dump());
        ++replayed;
      }
      must(follower.call("unsubscribe", {{"room", room}}));
      must(backend.call("delete", {{"room", room}, {"user", "alice"}}));
    }
  }
  BOOST_TEST(replayed + refused == 108);
  BOOST_TEST_MESSAGE("RFC 6902 suite over TCP: " << replayed << " replayed, " << refused
                                                 << " refused");
}

BOOST_AUTO_TEST_CASE(patch_must_be_a_boolean, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  BOOST_TEST(code_of(client.call("subscribe", {{"room", room}, {"patch", "yes"}})) ==
             "invalid_argument");
  BOOST_TEST(code_of(client.call("subscribe", {{"room", room}, {"patch", 1}})) ==
             "invalid_argument");
  BOOST_TEST(code_of(client.call("subscribe", {{"room", room}, {"patch", false}})) == "ok");
}

BOOST_AUTO_TEST_CASE(patches_are_stored_with_their_events) {
  // Rooms hibernate after 100 ms idle and come back from storage; a fold every 3 events puts
  // some events before the stored image and some after it (kept, and replayed, on load).
  node_process node({"--hibernate-after-ms", "100", "--fold-every-events", "3"});
  auto backend = node.connect();
  const std::string room = create_room(backend, "alice", {{"n", 0}});
  for (int i = 0; i < 5; ++i)
    must(backend.call(
        "edit", edit_args(room, "alice",
                          {{{"op", "incr"}, {"path", "/n"}, {"by", 1}},
                           {{"op", "set"}, {"path", "/m/" + std::to_string(i)}, {"value", i}}})));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (must(backend.call("stats"))["rooms"] != 0) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "the room did not hibernate");
    std::this_thread::sleep_for(50ms);
  }
  auto late = node.connect();
  json replay = must(late.call("subscribe", {{"room", room}, {"since", 1}, {"patch", true}}));
  BOOST_REQUIRE_EQUAL(replay["events"].size(), 5u);
  json data = {{"n", 0}};
  for (const auto& event : replay["events"]) {
    BOOST_REQUIRE_MESSAGE(event.contains("patch"), event.dump());
    data = data.patch(event["patch"]);
  }
  BOOST_TEST(same_bytes(data, must(backend.call("get", {{"room", room}}))["data"]));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
