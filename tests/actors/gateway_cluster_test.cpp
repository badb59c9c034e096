// gateway_state in a cluster: calls on rooms of other nodes have a deadline, and losing a
// room's node ends its subscription with the `unavailable` notification (docs/cluster.md).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "actors/cluster/cluster_placement.hpp"
#include "tests/actors/gateway_fixture.hpp"

namespace rooms::test {

namespace {

// In a cluster: this gateway's node is not room_a's home.
void make_room_a_remote(gateway_config& config) {
  std::vector<cluster_node> nodes{{"here", "127.0.0.1", 1}, {"there", "127.0.0.1", 2}};
  auto probe = cluster_placement::make(nodes, "here");
  const std::string self = probe->is_local(room_a) ? "there" : "here";
  config.placement =
      std::make_shared<const cluster_placement>(*cluster_placement::make(nodes, self));
  config.call_timeout = std::chrono::milliseconds(2000);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(gateway_cluster_tests, gateway_fixture)

BOOST_AUTO_TEST_CASE(a_call_on_another_nodes_room_is_unavailable_past_its_deadline) {
  make_room_a_remote(config);
  const auto sent = call_clock::now();
  send(1, "get", {{"room", room_a}});
  send(2, "subscribe", {{"room", room_a}});
  BOOST_REQUIRE(gateway().next_deadline().has_value());
  BOOST_TEST((*gateway().next_deadline() - sent >= std::chrono::milliseconds(2000)));
  gateway().expire_overdue(sent + std::chrono::milliseconds(1000));
  BOOST_TEST(link.frames.empty());
  gateway().expire_overdue(sent + std::chrono::milliseconds(2500));
  BOOST_REQUIRE_EQUAL(link.frames.size(), 2u);
  BOOST_TEST(link.frames[0][1] == 1);
  BOOST_TEST(link.frames[0][2]["code"] == "unavailable");
  BOOST_TEST(link.frames[0][2]["room"] == room_a);
  BOOST_TEST(link.frames[1][2]["code"] == "unavailable");
  BOOST_TEST(link.in_flight == 0u);
  BOOST_TEST(!gateway().next_deadline());
  // The gateway took back the subscribe, and a late reply changes nothing.
  BOOST_TEST(std::holds_alternative<unsubscribe_command>(router.calls.back().command));
  answer(router.calls[1], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  BOOST_TEST(link.frames.size() == 2u);
  BOOST_TEST(config.counters->to_json()["errors"]["unavailable"] == 2);
}

BOOST_AUTO_TEST_CASE(a_call_answered_in_time_never_expires) {
  make_room_a_remote(config);
  send(1, "get", {{"room", room_a}});
  answer(router.calls[0], {{"x", 1}}, std::nullopt);
  BOOST_TEST(!gateway().next_deadline());
  gateway().expire_overdue(call_clock::now() + std::chrono::hours(1));
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][3]["x"] == 1);
}

BOOST_AUTO_TEST_CASE(calls_on_this_nodes_rooms_have_no_deadline) {
  send(1, "get", {{"room", room_a}});
  BOOST_TEST(!gateway().next_deadline());
}

BOOST_AUTO_TEST_CASE(losing_a_rooms_node_ends_its_subscription_with_unavailable) {
  make_room_a_remote(config);
  send(1, "subscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  gateway().on_room_unreachable(room_a);
  BOOST_REQUIRE_EQUAL(link.frames.size(), 3u);
  BOOST_TEST(link.frames[2] == (json{2, "unavailable", {{{"room", room_a}}}}));
  BOOST_TEST(config.counters->subscriptions.load() == 0);
  event(3);
  gateway().on_room_unreachable(room_a);  // already ended: said once
  BOOST_TEST(link.frames.size() == 3u);
  // Resubscribing with since works as on one node.
  send(2, "subscribe", {{"room", room_a}, {"since", 2}});
  answer(router.calls[1], {{"room", room_a}, {"version", 4}}, 4);
  event(5);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{2, 5}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
