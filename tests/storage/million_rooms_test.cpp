// Not a test of the suite but a fixture maker for docs/operations.md's claim that a node over a
// million stored rooms answers at once: fills ROOMS_FILL_DIR (an existing, empty directory)
// with ROOMS_FILL_COUNT (default 1,000,000) small rooms, and prints their ids' first and last.
// Run: build/bin/rooms_storage_tests --run_test=million_rooms --log_level=message
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>

#include "actors/storage/room_store.hpp"
#include "protocol/room_id.hpp"
#include "protocol/value.hpp"

namespace rooms::test {

BOOST_AUTO_TEST_SUITE(million_rooms, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(fill) {
  const char* dir = std::getenv("ROOMS_FILL_DIR");
  BOOST_REQUIRE_MESSAGE(dir != nullptr, "set ROOMS_FILL_DIR to an existing empty directory");
  const char* count_text = std::getenv("ROOMS_FILL_COUNT");
  const std::size_t count = count_text ? std::strtoull(count_text, nullptr, 10) : 1000000;
  auto store = room_store::open(dir);
  BOOST_REQUIRE(store.ok());
  const auto start = std::chrono::steady_clock::now();
  std::vector<room_write> batch;
  std::string first, last;
  for (std::size_t i = 0; i < count; ++i) {
    room_write w;
    w.room = new_room_id();
    if (first.empty()) first = w.room;
    last = w.room;
    value_map data;
    data.insert_or_assign("n", value::unsigned_integer(i));
    w.image = room_image{w.room, "owner", {"owner"}, value::map(std::move(data)), 1, {}};
    batch.push_back(std::move(w));
    if (batch.size() == 10000 || i + 1 == count) {
      BOOST_REQUIRE(!(*store)->write(batch, false));
      batch.clear();
    }
  }
  BOOST_REQUIRE(!(*store)->sync_wal());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE(count << " rooms stored in " << seconds << " s; first " << first << " last "
                           << last << "; room_count " << (*store)->room_count());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
