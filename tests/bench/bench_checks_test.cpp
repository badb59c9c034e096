// rooms-bench's own bookkeeping: gap and duplicate detection of the fanout workload, the send
// time stamped into values, and exact latency quantiles. The entry point of rooms_bench_tests.
#define BOOST_TEST_MODULE rooms_bench_tests
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "bench/fanout_checker.hpp"
#include "bench/latency_stats.hpp"
#include "bench/value_stamp.hpp"

namespace rooms::bench {
namespace {

struct delivery_case {
  const char* name;
  std::vector<std::uint64_t> versions;
  std::uint64_t gaps;
  std::uint64_t duplicates;
  std::uint64_t delivered;
};

std::ostream& operator<<(std::ostream& out, const delivery_case& c) { return out << c.name; }

const delivery_case delivery_cases[] = {
    {"consecutive", {5, 6, 7, 8}, 0, 0, 4}, {"one skipped", {5, 6, 8}, 1, 0, 3},
    {"three skipped", {1, 5}, 3, 0, 2},     {"repeated", {5, 6, 6, 7}, 0, 1, 3},
    {"going back", {5, 6, 4, 7}, 0, 1, 3},
};

BOOST_DATA_TEST_CASE(fanout_checker_counts_gaps_and_duplicates,
                     boost::unit_test::data::make(delivery_cases), c) {
  fanout_checker checker(2, 3);
  for (std::uint64_t v : c.versions) checker.on_event(1, 2, v, 10, true);
  // Another subscriber and another room keep their own baselines.
  checker.on_event(0, 2, 100, 10, true);
  checker.on_event(1, 0, 50, 10, true);
  BOOST_TEST(checker.result().gaps == c.gaps);
  BOOST_TEST(checker.result().duplicates == c.duplicates);
  BOOST_TEST(checker.result().delivered.ok_count() == c.delivered + 2);
}

BOOST_AUTO_TEST_CASE(fanout_checker_rejects_unknown_rooms_and_unstamped_events) {
  fanout_checker checker(1, 3);
  checker.on_event(0, 3, 1, 10, true);
  checker.on_event(0, 0, 1, std::nullopt, true);
  checker.on_event(0, 1, 1, 10, false);  // before the window: checked, not counted
  BOOST_TEST(checker.result().unrecognized == 2u);
  BOOST_TEST(checker.result().delivered.ok_count() == 0u);
}

BOOST_DATA_TEST_CASE(stamps_round_trip,
                     boost::unit_test::data::make({0u, 1u, 0xabcdefu, 0xffffffffu}), micros) {
  for (std::size_t bytes : {0, 8, 64}) {
    const std::string value = stamped_value(micros, bytes);
    BOOST_TEST(value.size() == std::max<std::size_t>(bytes, stamp_chars));
    const auto stamp = read_stamp(value);
    BOOST_TEST_REQUIRE(stamp.has_value());
    BOOST_TEST(*stamp == micros);
  }
}

BOOST_AUTO_TEST_CASE(unstamped_values_have_no_stamp) {
  BOOST_TEST(!read_stamp("1234567").has_value());
  BOOST_TEST(!read_stamp("vvvvvvvv").has_value());
}

BOOST_AUTO_TEST_CASE(quantiles_are_nearest_rank) {
  latency_stats stats;
  BOOST_TEST(stats.quantile(0.99) == 0u);
  for (std::uint32_t v = 100; v >= 1; --v) stats.record_ok(v);
  BOOST_TEST(stats.quantile(0.50) == 50u);
  BOOST_TEST(stats.quantile(0.99) == 99u);
  BOOST_TEST(stats.quantile(0.999) == 100u);
  BOOST_TEST(stats.quantile(0.0) == 1u);
}

}  // namespace
}  // namespace rooms::bench
