// compact_queue: FIFO order across compactions, and no memory held by an empty queue.
#include "actors/room/compact_queue.hpp"

#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

BOOST_AUTO_TEST_SUITE(compact_queue_tests)

// A bounded window like a room's retained events: push, and pop once past `window`.
BOOST_DATA_TEST_CASE(keeps_fifo_order_across_compactions,
                     boost::unit_test::data::make({1, 2, 7, 1000}), window) {
  compact_queue<std::string> q;
  for (int i = 0; i < 5000; ++i) {
    q.push_back(std::to_string(i));
    if (q.size() > static_cast<std::size_t>(window)) q.pop_front();
    BOOST_REQUIRE_EQUAL(q.front(), std::to_string(std::max(0, i - window + 1)));
  }
  BOOST_TEST(q.size() == static_cast<std::size_t>(window));
  int expected = 5000 - window;
  for (const auto& item : q) BOOST_TEST(item == std::to_string(expected++));
  BOOST_TEST(q[0] == std::to_string(5000 - window));
}

BOOST_AUTO_TEST_CASE(empties_and_compares_by_content) {
  compact_queue<int> a, b;
  BOOST_TEST(a.empty());
  BOOST_TEST((a == b));
  a.push_back(1);
  a.push_back(2);
  b.push_back(2);
  BOOST_TEST(!(a == b));
  a.pop_front();
  BOOST_TEST((a == b));
  a.pop_front();
  BOOST_TEST(a.empty());
  BOOST_TEST(a.size() == 0u);
  b.clear();
  BOOST_TEST((a == b));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
