// room_routes: the gateway's flat table of routes, against a std::map doing the same inserts
// and erases (keys chosen to collide, runs that wrap around the table's end, growth and shrink).
#include "actors/gateway/room_routes.hpp"

#include <map>
#include <random>
#include <tuple>

#include <boost/test/unit_test.hpp>

namespace rooms::test {

namespace {

// Keys whose hash (high ^ low) differs only above the table's index bits collide.
room_key colliding(std::uint64_t n) { return room_key{0x4000 + (n << 20), 7}; }

struct key_less {
  bool operator()(const room_key& a, const room_key& b) const {
    return std::tie(a.high, a.low) < std::tie(b.high, b.low);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(room_routes_table)

BOOST_AUTO_TEST_CASE(colliding_keys_are_found_after_any_of_them_is_erased) {
  for (std::uint64_t gone = 0; gone < 6; ++gone) {
    room_routes routes;
    for (std::uint64_t n = 0; n < 6; ++n) routes.insert(colliding(n)).routed_sent = n + 1;
    routes.erase(colliding(gone));
    BOOST_TEST(routes.size() == 5u);
    BOOST_TEST(routes.find(colliding(gone)) == nullptr);
    for (std::uint64_t n = 0; n < 6; ++n) {
      if (n == gone) continue;
      room_route* route = routes.find(colliding(n));
      BOOST_REQUIRE(route != nullptr);
      BOOST_TEST(route->routed_sent == n + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(inserting_a_present_key_keeps_its_route) {
  room_routes routes;
  routes.insert(colliding(1)).routed_waiting = 3;
  BOOST_TEST(routes.insert(colliding(1)).routed_waiting == 3u);
  BOOST_TEST(routes.size() == 1u);
  routes.erase(colliding(2));  // absent: nothing happens
  BOOST_TEST(routes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(random_inserts_and_erases_agree_with_a_map) {
  std::mt19937_64 random(42);
  room_routes routes;
  std::map<room_key, std::uint64_t, key_less> model;
  // Few distinct keys of few hash bits: long runs, wrap-around at the end of the table.
  auto key = [&] { return room_key{(random() % 3 + 1) << 60 | 0x4000, random() % 40}; };
  for (int step = 0; step < 20000; ++step) {
    const room_key k = key();
    if (random() % 3 == 0) {
      routes.erase(k);
      model.erase(k);
    } else {
      const std::uint64_t value = random();
      routes.insert(k).routed_sent = value;
      model[k] = value;
    }
    BOOST_REQUIRE_EQUAL(routes.size(), model.size());
  }
  for (const auto& [k, value] : model) {
    room_route* route = routes.find(k);
    BOOST_REQUIRE(route != nullptr);
    BOOST_TEST(route->routed_sent == value);
  }
  // Down to nothing: the table shrinks on the way and still finds what is left.
  for (auto it = model.begin(); it != model.end(); it = model.erase(it)) {
    routes.erase(it->first);
    for (auto rest = std::next(it); rest != model.end(); ++rest)
      BOOST_REQUIRE(routes.find(rest->first) != nullptr);
  }
  BOOST_TEST(routes.size() == 0u);
}

BOOST_AUTO_TEST_CASE(only_ids_this_node_gives_can_be_held) {
  BOOST_TEST(room_routes::holds(*room_key::of("00000000-0000-4000-8000-00000000000a")));
  BOOST_TEST(!room_routes::holds(*room_key::of("00000000-0000-0000-0000-00000000000a")));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
