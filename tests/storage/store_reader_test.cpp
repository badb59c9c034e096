// Tests of store_reader (actors/storage/store_reader.hpp): reads on its own thread, in the
// order asked, with the store's answers; refused once stopped.
#include "actors/storage/store_reader.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <thread>
#include <vector>

#include "tests/storage/store_test_helpers.hpp"

namespace rooms {

namespace {

using namespace test;

std::shared_ptr<room_store> store_with_room(const temp_dir& dir, const std::string& room) {
  std::shared_ptr<room_store> store = open_ok(dir.path());
  write_ok(*store, {create(room)});
  return store;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_reader_tests)

BOOST_AUTO_TEST_CASE(a_load_answers_on_the_reader_thread_with_the_stored_room_or_nothing) {
  temp_dir dir;
  auto store = store_with_room(dir, "room-1");
  store_reader reader{store};
  std::promise<std::pair<std::thread::id, result<std::optional<stored_room>>>> found;
  reader.load("room-1", [&](result<std::optional<stored_room>> read) {
    found.set_value({std::this_thread::get_id(), std::move(read)});
  });
  auto [thread, read] = found.get_future().get();
  BOOST_TEST((thread != std::this_thread::get_id()));
  BOOST_TEST_REQUIRE(read.ok());
  BOOST_TEST_REQUIRE(read->has_value());
  BOOST_TEST((*read)->image.version == 1u);

  std::promise<result<std::optional<stored_room>>> missing;
  reader.load("room-2", [&](auto r) { missing.set_value(std::move(r)); });
  auto nothing = missing.get_future().get();
  BOOST_TEST_REQUIRE(nothing.ok());
  BOOST_TEST(!nothing->has_value());
  BOOST_TEST(reader.reads() == 2u);
}

BOOST_AUTO_TEST_CASE(reads_are_answered_in_the_order_they_were_asked) {
  temp_dir dir;
  auto store = store_with_room(dir, "room-1");
  store_reader reader{store};
  std::mutex mutex;
  std::vector<int> order;
  std::promise<void> last;
  for (int i = 0; i < 50; ++i) {
    auto record = [&, i](bool) {
      std::lock_guard<std::mutex> guard{mutex};
      order.push_back(i);
      if (i == 49) last.set_value();
    };
    if (i % 2 == 0)
      reader.exists(i % 4 == 0 ? "room-1" : "room-9", [record](result<bool> r) { record(*r); });
    else
      reader.load("room-1", [record](auto r) { record(r->has_value()); });
  }
  last.get_future().get();
  std::vector<int> expected(50);
  for (int i = 0; i < 50; ++i) expected[static_cast<std::size_t>(i)] = i;
  BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exists_tells_stored_rooms_from_others) {
  temp_dir dir;
  auto store = store_with_room(dir, "room-1");
  store_reader reader{store};
  std::promise<bool> yes, no;
  reader.exists("room-1", [&](result<bool> r) { yes.set_value(r.ok() && *r); });
  reader.exists("room-2", [&](result<bool> r) { no.set_value(r.ok() && *r); });
  BOOST_TEST(yes.get_future().get());
  BOOST_TEST(!no.get_future().get());
}

BOOST_AUTO_TEST_CASE(stop_answers_what_was_queued_and_refuses_later_reads_at_once) {
  temp_dir dir;
  auto store = store_with_room(dir, "room-1");
  store_reader reader{store};
  int answered = 0;
  for (int i = 0; i < 20; ++i) reader.exists("room-1", [&](result<bool> r) { answered += r.ok(); });
  reader.stop();
  BOOST_TEST(answered == 20);
  std::optional<error_code> refused;
  reader.load("room-1", [&](auto r) {
    if (!r) refused = r.error().code;
  });
  BOOST_TEST((refused == error_code::unavailable));
  reader.stop();  // twice is fine
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
