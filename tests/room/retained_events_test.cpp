// retained_events: a bounded window of encoded events, replayed decoded from a version on.
#include "actors/room/retained_events.hpp"
#include "protocol/value_json.hpp"

#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"

namespace rooms {
namespace {

json event_of(std::uint64_t version) {
  return json{{"version", version}, {"type", "edited"}, {"ops", json::array({{{"n", -1.5}}})}};
}

retained_events with_versions(std::size_t capacity, std::uint64_t first, std::uint64_t last) {
  retained_events events{capacity};
  for (auto v = first; v <= last; ++v) events.push(v, to_msgpack_bytes(event_of(v)));
  return events;
}

BOOST_AUTO_TEST_SUITE(retained_events_tests)

BOOST_AUTO_TEST_CASE(keeps_the_newest_up_to_the_capacity) {
  auto events = with_versions(3, 2, 6);
  BOOST_TEST(events.size() == 3u);
  BOOST_TEST(events.oldest_version() == 4u);
  BOOST_TEST(events.newest() == to_msgpack_bytes(event_of(6)));
  const std::vector<json> expected{event_of(4), event_of(5), event_of(6)};
  BOOST_TEST((events.decoded() == expected));
}

BOOST_AUTO_TEST_CASE(replays_the_events_after_since) {
  auto events = with_versions(10, 5, 9);
  BOOST_TEST(rooms::value_to_json(events.values_since(7)) ==
             json::array({event_of(8), event_of(9)}));
  BOOST_TEST(events.values_since(0).size() == 5u);  // older than retained: all of them
  BOOST_TEST(events.values_since(9).size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_gap_in_versions_drops_what_came_before_it) {
  auto events = with_versions(10, 5, 8);
  events.push(11, to_msgpack_bytes(event_of(11)));
  BOOST_TEST(events.size() == 1u);
  BOOST_TEST(events.oldest_version() == 11u);
  BOOST_TEST(rooms::value_to_json(events.values_since(6)) == json::array({event_of(11)}));
}

BOOST_AUTO_TEST_CASE(a_capacity_of_zero_still_keeps_the_latest) {
  auto events = with_versions(0, 2, 4);
  BOOST_TEST(events.size() == 1u);
  BOOST_TEST(events.oldest_version() == 4u);
  BOOST_TEST(retained_events{5}.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
