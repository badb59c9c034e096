// A room's metadata (protocol/room_meta.hpp; docs/protocol.md, section 12): every shape and size
// rule, and set_meta's merge.
#include "protocol/room_meta.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/value_json.hpp"

namespace rooms {
namespace {

using json = nlohmann::json;

std::optional<error_code> code_of(const json& meta, bool nil_removes = false) {
  auto error = check_meta(json_to_value(meta), nil_removes);
  return error ? std::optional<error_code>{error->code} : std::nullopt;
}

BOOST_AUTO_TEST_SUITE(room_meta)

BOOST_AUTO_TEST_CASE(flat_maps_of_strings_numbers_and_booleans_are_meta) {
  BOOST_TEST(!code_of(json::object()));
  BOOST_TEST(
      !code_of({{"mode", "ranked"}, {"seats", 4}, {"ratio", 0.5}, {"open", true}, {"debt", -3}}));
  BOOST_TEST(!code_of({{std::string(64, 'k'), std::string(256, 'v')}}));
}

BOOST_AUTO_TEST_CASE(a_wrong_shape_is_invalid_argument) {
  const auto invalid = std::optional<error_code>{error_code::invalid_argument};
  BOOST_TEST((code_of(json::array()) == invalid));
  BOOST_TEST((code_of("ranked") == invalid));
  BOOST_TEST((code_of({{"", 1}}) == invalid));
  BOOST_TEST((code_of({{"a", nullptr}}) == invalid));  // nil removes only in set_meta
  BOOST_TEST(!code_of({{"a", nullptr}}, true));
  BOOST_TEST((code_of({{"a", json::array()}}) == invalid));
  BOOST_TEST((code_of({{"a", {{"b", 1}}}}) == invalid));
  BOOST_TEST((code_of({{"a", json::binary({1})}}) == invalid));
}

BOOST_AUTO_TEST_CASE(a_size_past_a_limit_is_too_large) {
  const auto too_large = std::optional<error_code>{error_code::too_large};
  BOOST_TEST((code_of({{std::string(65, 'k'), 1}}) == too_large));
  BOOST_TEST((code_of({{"a", std::string(257, 'v')}}) == too_large));
  json many = json::object();
  for (int i = 0; i < 33; ++i) many["k" + std::to_string(i)] = i;
  BOOST_TEST((code_of(many) == too_large));
  json big = json::object();
  for (int i = 0; i < 20; ++i) big["k" + std::to_string(i)] = std::string(250, 'v');
  BOOST_TEST((code_of(big) == too_large));  // 20 entries, over 4 KiB
}

BOOST_AUTO_TEST_CASE(set_meta_merges_and_removes_within_the_limits) {
  const value current = json_to_value({{"mode", "ranked"}, {"taken", 1}});
  auto merged = merge_meta(current, json_to_value({{"taken", 2}, {"mode", nullptr}, {"x", true}}));
  BOOST_REQUIRE(merged.ok());
  BOOST_TEST(value_to_json(*merged) == (json{{"taken", 2}, {"x", true}}));
  // Removing what is not there changes nothing.
  auto same = merge_meta(current, json_to_value({{"gone", nullptr}}));
  BOOST_REQUIRE(same.ok());
  BOOST_TEST((*same == current));
  json full = json::object();
  for (int i = 0; i < 32; ++i) full["k" + std::to_string(i)] = i;
  auto over = merge_meta(json_to_value(full), json_to_value({{"one_more", 1}}));
  BOOST_REQUIRE(!over.ok());
  BOOST_TEST((over.error().code == error_code::too_large));
  auto swap = merge_meta(json_to_value(full), json_to_value({{"k0", nullptr}, {"new", 1}}));
  BOOST_TEST(swap.ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
