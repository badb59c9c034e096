// member_list: join order is kept, and lookups agree with a plain set on both sides of the index
// threshold (small rooms scan, big rooms use the sorted index).
#include "actors/room/member_list.hpp"

#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

BOOST_AUTO_TEST_SUITE(member_list_tests)

BOOST_AUTO_TEST_CASE(keeps_join_order_and_refuses_duplicates) {
  member_list members;
  BOOST_TEST(members.add("carol"));
  BOOST_TEST(members.add("alice"));
  BOOST_TEST(!members.add("carol"));
  BOOST_TEST(members.add("bob"));
  BOOST_TEST((members.in_join_order() == std::vector<std::string>{"carol", "alice", "bob"}));
  BOOST_TEST(members.remove("alice"));
  BOOST_TEST(!members.remove("alice"));
  BOOST_TEST(!members.contains("alice"));
  BOOST_TEST(members.contains("bob"));
  BOOST_TEST((members.in_join_order() == std::vector<std::string>{"carol", "bob"}));
}

BOOST_AUTO_TEST_CASE(small_rooms_have_no_index) {
  member_list members;
  for (std::size_t i = 0; i < member_list::index_threshold; ++i)
    members.add("user" + std::to_string(i));
  BOOST_TEST(!members.indexed());
  members.add("one more");
  BOOST_TEST(members.indexed());
  while (members.size() > member_list::index_threshold / 2)
    members.remove(members.in_join_order().back());
  BOOST_TEST(!members.indexed());
}

// Random joins and leaves across the threshold, in both directions, against std::set and a
// vector in join order.
BOOST_AUTO_TEST_CASE(agrees_with_a_set_and_keeps_join_order_when_indexed) {
  std::mt19937 rng(6);
  member_list members;
  std::set<std::string> expected_set;
  std::vector<std::string> expected_order;
  for (int step = 0; step < 20000; ++step) {
    // Grow for a while, then shrink, so the index is built and dropped several times.
    const bool growing = (step / 2000) % 2 == 0;
    const std::string user = "u" + std::to_string(rng() % 60);
    if (rng() % 4 != 0 && growing) {
      const bool added = members.add(user);
      BOOST_REQUIRE_EQUAL(added, expected_set.insert(user).second);
      if (added) expected_order.push_back(user);
    } else {
      const bool removed = members.remove(user);
      BOOST_REQUIRE_EQUAL(removed, expected_set.erase(user) == 1);
      if (removed) std::erase(expected_order, user);
    }
    BOOST_REQUIRE(members.in_join_order() == expected_order);
    const std::string probe = "u" + std::to_string(rng() % 60);
    BOOST_REQUIRE_EQUAL(members.contains(probe), expected_set.count(probe) == 1);
  }
}

BOOST_AUTO_TEST_CASE(a_stored_list_is_indexed_when_big) {
  std::vector<std::string> stored;
  for (int i = 40; i > 0; --i) stored.push_back("m" + std::to_string(i));
  member_list members{stored};
  BOOST_TEST(members.indexed());
  BOOST_TEST((members.in_join_order() == stored));
  for (const auto& user : stored) BOOST_TEST(members.contains(user));
  BOOST_TEST(!members.contains("m0"));
  BOOST_TEST(members.remove("m20"));
  BOOST_TEST(!members.contains("m20"));
  BOOST_TEST(members.contains("m19"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
