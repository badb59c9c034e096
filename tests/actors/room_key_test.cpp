// room_key: canonical room ids map one to one onto keys; any other text has none.
#include "actors/directory/room_key.hpp"

#include <set>
#include <string>
#include <utility>

#include <boost/test/unit_test.hpp>

#include "protocol/room_id.hpp"

namespace rooms {
namespace {

BOOST_AUTO_TEST_SUITE(room_key_tests)

BOOST_AUTO_TEST_CASE(reads_the_sixteen_bytes_of_an_id) {
  auto key = room_key::of("0123abcd-4567-89ef-fedc-ba9876543210");
  BOOST_REQUIRE(key.has_value());
  BOOST_TEST(key->high == 0x0123abcd456789efULL);
  BOOST_TEST(key->low == 0xfedcba9876543210ULL);
}

BOOST_AUTO_TEST_CASE(other_text_has_no_key) {
  BOOST_TEST(!room_key::of("").has_value());
  BOOST_TEST(!room_key::of("room-1").has_value());
  BOOST_TEST(!room_key::of("0123ABCD-4567-89ef-fedc-ba9876543210").has_value());
  BOOST_TEST(!room_key::of("0123abcd-4567-89ef-fedc-ba98765432100").has_value());
  BOOST_TEST(!room_key::of("0123abcd04567-89ef-fedc-ba9876543210").has_value());
}

BOOST_AUTO_TEST_CASE(distinct_ids_have_distinct_keys) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> keys;
  for (int i = 0; i < 1000; ++i) {
    auto key = room_key::of(new_room_id());
    BOOST_REQUIRE(key.has_value());
    keys.emplace(key->high, key->low);
  }
  BOOST_TEST(keys.size() == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
