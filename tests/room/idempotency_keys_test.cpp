// idempotency_keys: nothing remembered until the first key (its memory is allocated then), the
// oldest key is forgotten past the capacity, and a key belongs to its user.
#include "actors/room/idempotency_keys.hpp"

#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

BOOST_AUTO_TEST_SUITE(idempotency_keys_tests)

BOOST_AUTO_TEST_CASE(an_unused_memory_answers_nothing) {
  const idempotency_keys keys{4};
  BOOST_TEST(keys.size() == 0u);
  BOOST_TEST(!keys.find("alice", "k").has_value());
  BOOST_TEST(keys.export_keys().empty());
}

BOOST_AUTO_TEST_CASE(forgets_the_oldest_past_capacity) {
  idempotency_keys keys{2};
  keys.remember("u", "a", {1, 2});
  keys.remember("u", "b", {3, 4});
  keys.remember("u", "a", {9, 9});  // a known key keeps its place in the order
  BOOST_TEST(keys.find("u", "a")->fingerprint == 9u);
  keys.remember("u", "c", {5, 6});
  BOOST_TEST(keys.size() == 2u);
  BOOST_TEST(!keys.find("u", "a").has_value());
  const auto stored = keys.export_keys();
  BOOST_REQUIRE_EQUAL(stored.size(), 2u);
  BOOST_TEST(stored[0].key == "b");
  BOOST_TEST(stored[1].key == "c");
  BOOST_TEST(stored[1].version == 6u);
}

BOOST_AUTO_TEST_CASE(a_key_belongs_to_its_user) {
  idempotency_keys keys{8};
  keys.remember("alice", "move-1", {1, 2});
  BOOST_TEST(keys.find("alice", "move-1").has_value());
  BOOST_TEST(!keys.find("bob", "move-1").has_value());
  // The user's length is part of the scope: ("ab", "c") and ("a", "bc") stay apart.
  keys.remember("ab", "c", {3, 4});
  BOOST_TEST(!keys.find("a", "bc").has_value());
  keys.remember("bob", "move-1", {5, 6});
  BOOST_TEST(keys.find("alice", "move-1")->version == 2u);
  BOOST_TEST(keys.find("bob", "move-1")->version == 6u);
}

BOOST_AUTO_TEST_CASE(export_keeps_user_and_key_apart) {
  idempotency_keys keys{8};
  keys.remember("12:x", "3:y", {7, 8});  // colons and digits inside either part
  keys.remember("", "legacy", {1, 1});
  const auto stored = keys.export_keys();
  BOOST_REQUIRE_EQUAL(stored.size(), 2u);
  BOOST_TEST(stored[0].user == "12:x");
  BOOST_TEST(stored[0].key == "3:y");
  BOOST_TEST(stored[1].user == "");
  BOOST_TEST(stored[1].key == "legacy");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
