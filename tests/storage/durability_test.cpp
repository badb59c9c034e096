// Tests of the durability mode names (actors/storage/durability.hpp).
#include "actors/storage/durability.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace bdata = boost::unit_test::data;

BOOST_TEST_DONT_PRINT_LOG_VALUE(rooms::durability)

namespace rooms {

BOOST_AUTO_TEST_SUITE(durability_modes)

const durability all_modes[] = {durability::sync, durability::async, durability::none};

BOOST_DATA_TEST_CASE(names_round_trip, bdata::make(all_modes), mode) {
  auto parsed = parse_durability(to_string(mode));
  BOOST_TEST_REQUIRE(parsed.ok());
  BOOST_TEST((*parsed == mode));
}

BOOST_AUTO_TEST_CASE(names_are_the_configuration_strings) {
  BOOST_TEST(to_string(durability::sync) == "sync");
  BOOST_TEST(to_string(durability::async) == "async");
  BOOST_TEST(to_string(durability::none) == "none");
}

const char* const bad_names[] = {"", "SYNC", "Sync", "fsync", "sync ", "everysec", "off"};

BOOST_DATA_TEST_CASE(other_strings_are_refused_with_the_choices, bdata::make(bad_names), name) {
  auto parsed = parse_durability(name);
  BOOST_TEST_REQUIRE(!parsed.ok());
  BOOST_TEST((parsed.error().code == error_code::invalid_argument));
  BOOST_TEST(parsed.error().message.find("sync, async, none") != std::string::npos);
  BOOST_TEST(parsed.error().message.find("\"" + std::string(name) + "\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
