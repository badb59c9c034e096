// cluster_placement: rendezvous hashing agrees on every node, spreads rooms evenly, moves only
// the rooms of a node that joins, and the node list's checks.
#include "actors/cluster/cluster_placement.hpp"

#include <map>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace rooms::test {

namespace {

std::vector<cluster_node> three_nodes() {
  return {{"node2", "127.0.0.1", 7522}, {"node1", "127.0.0.1", 7521}, {"node3", "127.0.0.1", 7523}};
}

cluster_placement placement_as(std::string_view self, std::vector<cluster_node> nodes) {
  auto placement = cluster_placement::make(std::move(nodes), self);
  BOOST_REQUIRE(placement.ok());
  return *placement;
}

std::string room_id(int i) {
  char text[37];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", i * 2654435761u, i);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cluster_placement_tests)

BOOST_AUTO_TEST_CASE(every_node_agrees_whatever_the_order_of_its_list) {
  auto one = placement_as("node1", three_nodes());
  auto reversed = three_nodes();
  std::reverse(reversed.begin(), reversed.end());
  auto three = placement_as("node3", reversed);
  BOOST_TEST(one.fingerprint() == three.fingerprint());
  for (int i = 0; i < 1000; ++i) {
    const std::string id = room_id(i);
    BOOST_TEST(one.node(one.home(id)).name == three.node(three.home(id)).name);
    BOOST_TEST((one.is_local(id) + three.is_local(id)) <= 1);
  }
}

BOOST_AUTO_TEST_CASE(rooms_spread_evenly) {
  auto placement = placement_as("node1", three_nodes());
  std::map<std::size_t, int> count;
  for (int i = 0; i < 30000; ++i) ++count[placement.home(room_id(i))];
  BOOST_TEST(count.size() == 3u);
  for (auto& [node, n] : count) BOOST_TEST((n > 9000 && n < 11000), "node " << node << ": " << n);
}

BOOST_AUTO_TEST_CASE(a_fourth_node_takes_rooms_only_from_the_others) {
  auto before = placement_as("node1", three_nodes());
  auto nodes = three_nodes();
  nodes.push_back({"node4", "127.0.0.1", 7524});
  auto after = placement_as("node1", nodes);
  BOOST_TEST(before.fingerprint() != after.fingerprint());
  int moved = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = room_id(i);
    const std::string was = before.node(before.home(id)).name;
    const std::string now = after.node(after.home(id)).name;
    if (was != now) {
      BOOST_TEST(now == "node4");
      ++moved;
    }
  }
  BOOST_TEST((moved > 2000 && moved < 3000), moved);
}

BOOST_AUTO_TEST_CASE(scores_are_fixed_across_builds) {
  // Stored rooms stay on their node only if the hash never changes: pin two values.
  BOOST_TEST(placement_score("node1", "") == placement_score("node1", ""));
  BOOST_TEST(placement_score("node1", "a") != placement_score("node2", "a"));
  BOOST_TEST(placement_score("node1", "00000000-0000-4000-8000-000000000000") ==
             0xe5bd07d1aa8d6759ULL);
}

BOOST_AUTO_TEST_CASE(node_specs_and_lists_are_checked) {
  auto node = parse_cluster_node("n1@10.0.0.1:7520");
  BOOST_REQUIRE(node.ok());
  BOOST_TEST(node->name == "n1");
  BOOST_TEST(node->host == "10.0.0.1");
  BOOST_TEST(node->port == 7520);
  for (const char* bad : {"n1", "n1@host", "@h:1", "n1@:1", "n1@h:0", "n1@h:65536", "n1@h:x"})
    BOOST_TEST(!parse_cluster_node(bad).ok(), bad);
  BOOST_TEST(!cluster_placement::make({}, "n1").ok());
  BOOST_TEST(!cluster_placement::make(three_nodes(), "node9").ok());
  auto twice = three_nodes();
  twice.push_back({"node1", "127.0.0.1", 7600});
  BOOST_TEST(!cluster_placement::make(twice, "node1").ok());
  auto same_address = three_nodes();
  same_address.push_back({"node4", "127.0.0.1", 7521});
  BOOST_TEST(!cluster_placement::make(same_address, "node1").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
