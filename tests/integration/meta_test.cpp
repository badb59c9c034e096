// Room metadata against a real node (docs/protocol.md, section 12, Metadata): meta on create,
// set_meta's merge, its event and answer, the snapshot's meta, and every refusal. Labelled
// `cluster`: it also runs across three nodes, where the room may live on another node.
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/test_support.hpp"

namespace rooms::testing {

BOOST_AUTO_TEST_SUITE(meta)

BOOST_AUTO_TEST_CASE(meta_is_created_merged_announced_and_shown, *cluster_case) {
  node_process node;
  auto owner = node.connect();
  auto watcher = node.connect();
  const json lobby = {{"mode", "ranked"}, {"seats", 4}, {"taken", 1}};
  json created = must(owner.call("create", {{"user", "alice"}, {"meta", lobby}}));
  const std::string room = created["room"].get<std::string>();
  BOOST_TEST(created["meta"] == lobby);
  must(watcher.call("subscribe", {{"room", room}}));
  must(owner.call("join", {{"room", room}, {"user", "bob"}}));
  json set =
      must(owner.call("set_meta", {{"room", room}, {"user", "bob"}, {"meta", {{"taken", 2}}}}));
  const json after = {{"mode", "ranked"}, {"seats", 4}, {"taken", 2}};
  BOOST_TEST(set == (json{{"room", room}, {"version", 3}, {"meta", after}}));
  // Nothing changes: no version, no event.
  json same =
      must(owner.call("set_meta", {{"room", room}, {"user", "bob"}, {"meta", {{"taken", 2}}}}));
  BOOST_TEST(same["version"] == 3);
  json removed = must(
      owner.call("set_meta", {{"room", room}, {"user", "alice"}, {"meta", {{"mode", nullptr}}}}));
  BOOST_TEST(removed["meta"] == (json{{"seats", 4}, {"taken", 2}}));
  BOOST_TEST(must(owner.call("get", {{"room", room}}))["meta"] ==
             (json{{"seats", 4}, {"taken", 2}}));

  BOOST_TEST(next_params(watcher, "event")["type"] == "joined");
  json event = next_params(watcher, "event");
  BOOST_TEST(
      event ==
      (json{{"room", room}, {"version", 3}, {"type", "meta"}, {"user", "bob"}, {"meta", after}}));
  BOOST_TEST(next_params(watcher, "event")["version"] == 4);
  // The same events replay through since.
  json replay = must(watcher.call("subscribe", {{"room", room}, {"since", 2}}));
  BOOST_REQUIRE_EQUAL(replay["events"].size(), 2u);
  BOOST_TEST(replay["events"][0] == event);
}

BOOST_AUTO_TEST_CASE(bad_meta_is_refused_and_changes_nothing, *cluster_case) {
  node_process node;
  auto client = node.connect();
  BOOST_TEST(code_of(client.call("create", {{"user", "alice"}, {"meta", {{"a", {1}}}}})) ==
             "invalid_argument");
  BOOST_TEST(code_of(client.call("create",
                                 {{"user", "alice"}, {"meta", {{"a", std::string(257, 'v')}}}})) ==
             "too_large");
  const std::string room = create_room(client, "alice");
  BOOST_TEST(code_of(client.call("set_meta",
                                 {{"room", room}, {"user", "mallory"}, {"meta", {{"a", 1}}}})) ==
             "not_member");
  BOOST_TEST(code_of(client.call("set_meta", {{"room", room}, {"user", "alice"}})) ==
             "invalid_argument");
  BOOST_TEST(
      code_of(client.call("set_meta", {{"room", room}, {"user", "alice"}, {"meta", {{"", 1}}}})) ==
      "invalid_argument");
  json full = json::object();
  for (int i = 0; i < 32; ++i) full["k" + std::to_string(i)] = i;
  must(client.call("set_meta", {{"room", room}, {"user", "alice"}, {"meta", full}}));
  BOOST_TEST(code_of(client.call("set_meta",
                                 {{"room", room}, {"user", "alice"}, {"meta", {{"k32", 1}}}})) ==
             "too_large");
  json snapshot = must(client.call("get", {{"room", room}}));
  BOOST_TEST(snapshot["meta"] == full);
  BOOST_TEST(snapshot["version"] == 2);
  must(client.call("delete", {{"room", room}, {"user", "alice"}}));
  BOOST_TEST(
      code_of(client.call("set_meta", {{"room", room}, {"user", "alice"}, {"meta", {{"a", 1}}}})) ==
      "not_found");
}

BOOST_AUTO_TEST_CASE(meta_is_stored_with_the_room) {
  node_process node({"--hibernate-after-ms", "100"});
  auto client = node.connect();
  const std::string room =
      must(client.call("create", {{"user", "alice"}, {"meta", {{"mode", "casual"}}}}))["room"];
  must(client.call("set_meta", {{"room", room}, {"user", "alice"}, {"meta", {{"seats", 2}}}}));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (must(client.call("stats"))["rooms"] != 0) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "the room did not hibernate");
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(must(client.call("get", {{"room", room}}))["meta"] ==
             (json{{"mode", "casual"}, {"seats", 2}}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
