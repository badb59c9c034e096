// `list` arguments and condition semantics (protocol/list_query.hpp): exact number comparison,
// what each condition holds for, and every refusal.
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "protocol/list_query.hpp"
#include "protocol/value_json.hpp"

namespace rooms {
namespace {

using json = nlohmann::json;

result<list_query> parse(const json& args) { return read_list_query(json_to_value(args).as_map()); }

list_condition condition(const json& c) {
  auto query = parse({{"where", json::array({c})}});
  BOOST_REQUIRE(query.ok());
  return query->where.at(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(list_query_rules)

BOOST_AUTO_TEST_CASE(numbers_compare_exactly_across_kinds) {
  const value big = value::unsigned_integer((std::uint64_t{1} << 53) + 1);
  const value big_float = value::floating(9007199254740992.0);  // 2^53
  BOOST_TEST(*compare_numbers(big, big_float) == 1);
  BOOST_TEST(*compare_numbers(big_float, big) == -1);
  BOOST_TEST(*compare_numbers(value::integer(2), value::floating(2.0)) == 0);
  BOOST_TEST(*compare_numbers(value::integer(-3), value::floating(-2.5)) == -1);
  BOOST_TEST(*compare_numbers(value::integer(3), value::floating(2.5)) == 1);
  BOOST_TEST(*compare_numbers(value::integer(3), value::floating(INFINITY)) == -1);
  BOOST_TEST(*compare_numbers(value::integer(-3), value::floating(-INFINITY)) == 1);
  BOOST_TEST(!compare_numbers(value::integer(3), value::floating(NAN)).has_value());
}

BOOST_AUTO_TEST_CASE(each_condition_holds_for_exactly_its_values) {
  const value two = value::unsigned_integer(2), two_f = value::floating(2.0),
              yes = value::boolean(true), one = value::integer(1), eu = value::string("eu-1"),
              nan = value::floating(NAN);
  auto eq_two = condition({{"key", "k"}, {"eq", 2}});
  BOOST_TEST(eq_two.holds(&two));
  BOOST_TEST(eq_two.holds(&two_f));
  BOOST_TEST(!eq_two.holds(nullptr));
  auto eq_true = condition({{"key", "k"}, {"eq", true}});
  BOOST_TEST(eq_true.holds(&yes));
  BOOST_TEST(!eq_true.holds(&one));
  BOOST_TEST(!condition({{"key", "k"}, {"eq", 1}}).holds(&yes));
  BOOST_TEST(!condition({{"key", "k"}, {"eq", "2"}}).holds(&two));
  BOOST_TEST(condition({{"key", "k"}, {"prefix", "eu"}}).holds(&eu));
  BOOST_TEST(condition({{"key", "k"}, {"prefix", ""}}).holds(&eu));
  BOOST_TEST(!condition({{"key", "k"}, {"prefix", "eu"}}).holds(&two));
  auto range = condition({{"key", "k"}, {"gte", 1.5}, {"lte", 2}});
  BOOST_TEST(range.holds(&two));
  BOOST_TEST(range.holds(&two_f));
  BOOST_TEST(!range.holds(&one));
  BOOST_TEST(!range.holds(&yes));
  BOOST_TEST(!range.holds(&nan));
  BOOST_TEST(condition({{"key", "k"}, {"exists", true}}).holds(&nan));
  BOOST_TEST(condition({{"key", "k"}, {"exists", false}}).holds(nullptr));
  BOOST_TEST(!condition({{"key", "k"}, {"eq", 1}}).holds(&nan));
}

BOOST_AUTO_TEST_CASE(members_is_the_member_count) {
  auto query = parse({{"where", json::array({{{"key", "$members"}, {"gte", 2}},
                                             {{"key", "mode"}, {"eq", "ranked"}}})}});
  BOOST_REQUIRE(query.ok());
  const value meta = json_to_value({{"mode", "ranked"}, {"$members", 99}});
  BOOST_TEST(query->matches(meta, 2));
  BOOST_TEST(!query->matches(meta, 1));
}

BOOST_AUTO_TEST_CASE(defaults_and_a_round_trip) {
  auto none = parse(json::object());
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->limit == 100u);
  BOOST_TEST(none->after.empty());
  BOOST_TEST(none->where.empty());
  const json args = {{"where", json::array({{{"key", "a"}, {"eq", "x"}},
                                            {{"key", "b"}, {"prefix", "y"}},
                                            {{"key", "c"}, {"gte", 1}},
                                            {{"key", "d"}, {"exists", false}}})},
                     {"limit", 7},
                     {"after", "3f2b8c1e-5d4a-4f7b-9c2e-1a6b7d8e9f00"}};
  auto query = parse(args);
  BOOST_REQUIRE(query.ok());
  BOOST_TEST(value_to_json(list_query_params(*query)) == args);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_invalid) {
  for (const json& args : {
           json{{"limit", 0}},
           json{{"limit", 1001}},
           json{{"limit", 2.0}},
           json{{"after", "not-an-id"}},
           json{{"where", "mode"}},
           json{{"where", json::array({1})}},
           json{{"where", json::array({{{"eq", 1}}})}},
           json{{"where", json::array({{{"key", std::string(65, 'k')}, {"eq", 1}}})}},
           json{{"where", json::array({{{"key", "a"}}})}},
           json{{"where", json::array({{{"key", "a"}, {"eq", 1}, {"exists", true}}})}},
           json{{"where", json::array({{{"key", "a"}, {"gte", 1}, {"nope", 1}}})}},
           json{{"where", json::array({{{"key", "a"}, {"eq", nullptr}}})}},
           json{{"where", json::array({{{"key", "a"}, {"lte", true}}})}},
           json{{"where", json::array({{{"key", "$members"}, {"exists", true}}})}},
       }) {
    auto query = parse(args);
    BOOST_TEST(!query.ok(), args.dump());
    if (!query.ok()) BOOST_TEST((query.error().code == error_code::invalid_argument));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
