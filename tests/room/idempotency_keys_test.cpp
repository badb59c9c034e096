// idempotency_keys: nothing remembered until the first key (its memory is allocated then), and
// the oldest key is forgotten past the capacity.
#include "actors/room/idempotency_keys.hpp"

#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

BOOST_AUTO_TEST_SUITE(idempotency_keys_tests)

BOOST_AUTO_TEST_CASE(an_unused_memory_answers_nothing) {
  const idempotency_keys keys{4};
  BOOST_TEST(keys.size() == 0u);
  BOOST_TEST(!keys.find("k").has_value());
  BOOST_TEST(keys.export_keys().empty());
}

BOOST_AUTO_TEST_CASE(forgets_the_oldest_past_capacity) {
  idempotency_keys keys{2};
  keys.remember("a", {1, 2});
  keys.remember("b", {3, 4});
  keys.remember("a", {9, 9});  // a known key keeps its place in the order
  BOOST_TEST(keys.find("a")->fingerprint == 9u);
  keys.remember("c", {5, 6});
  BOOST_TEST(keys.size() == 2u);
  BOOST_TEST(!keys.find("a").has_value());
  const auto stored = keys.export_keys();
  BOOST_REQUIRE_EQUAL(stored.size(), 2u);
  BOOST_TEST(stored[0].key == "b");
  BOOST_TEST(stored[1].key == "c");
  BOOST_TEST(stored[1].version == 6u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
