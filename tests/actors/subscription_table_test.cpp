// subscription_table: what a gateway relays, for rooms with a node's canonical ids (kept in the
// flat table) and for any other id a backend names (kept aside), alike.
#include "actors/gateway/subscription_table.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

namespace rooms::test {

namespace {

const std::string canonical = "6f1c2a4e-8b3d-4c5e-9f70-112233445566";
const std::string other = "not-a-room-id";

// Relays with the key a room sends along (room_event::key); the table holds canonical ids in
// its flat part, found by that key, and any other id by its text.
bool relays(subscription_table& table, const std::string& room, std::uint64_t version,
            bool deleted = false) {
  const auto key = room_key::of(room).value_or(room_key{});
  return table.relay(room, key, version, deleted, false, [] { return true; }) ==
         subscription_table::relay_outcome::relayed;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subscription_table_tests)

BOOST_AUTO_TEST_CASE(events_above_the_subscribed_version_are_relayed_once) {
  for (const auto& room : {canonical, other}) {
    subscription_table table;
    BOOST_TEST(!relays(table, room, 1));  // not followed
    table.subscribe_sent(room);
    BOOST_TEST(table.follows(room));
    BOOST_TEST(!table.is_active(room));
    BOOST_TEST(table.followed() == 1u);
    table.subscribe_answered(room, 5);
    BOOST_TEST(table.is_active(room));
    BOOST_TEST(table.active() == 1u);
    BOOST_TEST(!relays(table, room, 5));  // already in the subscribe answer
    BOOST_TEST(relays(table, room, 6));
    BOOST_TEST(!relays(table, room, 6));  // a duplicate after a re-subscribe
    BOOST_TEST(table.last_version(room) == 6u);
    BOOST_TEST(relays(table, room, 7, true));  // deleted: the subscription ends
    BOOST_TEST(!table.follows(room));
    BOOST_TEST(table.followed() == 0u);
    BOOST_TEST(table.active() == 0u);
  }
}

BOOST_AUTO_TEST_CASE(an_unsubscribe_cancels_the_subscribes_in_flight) {
  subscription_table table;
  table.subscribe_sent(canonical);
  table.subscribe_sent(other);
  table.end(canonical);
  BOOST_TEST(!table.follows(canonical));
  BOOST_TEST(table.follows(other));
  table.subscribe_answered(canonical, 3);  // cancelled: not active
  table.subscribe_answered(other, 3);
  BOOST_TEST(!table.is_active(canonical));
  BOOST_TEST(table.is_active(other));
  BOOST_TEST(table.followed() == 1u);
  BOOST_TEST(!relays(table, canonical, 4));
  BOOST_TEST(relays(table, other, 4));
  // A refused write (the outbound buffer is full) is reported, and nothing is recorded.
  BOOST_TEST((table.relay(other, room_key{}, 5, false, false, [] { return false; }) ==
              subscription_table::relay_outcome::refused));
  BOOST_TEST(table.last_version(other) == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
