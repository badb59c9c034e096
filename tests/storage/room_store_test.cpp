// Tests of room_store's data (actors/storage/room_store.hpp): writes and loads, trims, erases,
// the room count, listing, checkpoints and write failures.
#include "actors/storage/room_store.hpp"

#include <boost/test/unit_test.hpp>

#include "actors/storage/store_keys.hpp"
#include "tests/storage/failing_fs.hpp"
#include "tests/storage/store_test_helpers.hpp"

namespace rooms {

namespace {

using namespace test;

std::string fmt_room(int i) { return (i < 10 ? "room-0" : "room-") + std::to_string(i); }

}  // namespace

BOOST_AUTO_TEST_SUITE(room_store_data)

BOOST_AUTO_TEST_CASE(a_room_round_trips_through_a_reopen) {
  temp_dir dir;
  const room_image image = test::sample_image("room-1", 1);
  {
    auto store = open_ok(dir.path());
    write_ok(*store, {create("room-1")});
    write_ok(*store, {edit("room-1", 2, true), edit("room-1", 3)}, false);
    BOOST_TEST(*store->exists("room-1"));
    BOOST_TEST(!*store->exists("room-2"));
  }
  auto store = open_ok(dir.path());
  const stored_room room = load_ok(*store, "room-1");
  BOOST_TEST(room.image.owner == image.owner);
  BOOST_TEST(test::identical(room.image.data, image.data));
  BOOST_TEST(versions(room) == range(1, 3), boost::test_tools::per_element());
  BOOST_TEST((room.events[1].key == std::optional<std::string>("key-2")));
  BOOST_TEST(!room.events[2].key);
  BOOST_TEST(store->room_count() == 1u);
}

BOOST_AUTO_TEST_CASE(an_unknown_room_loads_as_nothing) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  auto loaded = store->load("nobody");
  BOOST_TEST_REQUIRE(loaded.ok());
  BOOST_TEST(!loaded->has_value());
}

BOOST_AUTO_TEST_CASE(events_sort_by_version_beyond_one_byte) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  write_ok(*store, {create("r")});
  std::vector<room_write> edits;
  for (std::uint64_t v = 70000; v >= 2; --v) edits.push_back(edit("r", v));
  write_ok(*store, std::move(edits));
  BOOST_TEST(versions(load_ok(*store, "r")) == range(1, 70000), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rooms_whose_ids_share_a_prefix_keep_their_own_events) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  write_ok(*store,
           {create("abc"), create("abcd"), edit("abcd", 2), edit("abc", 2), edit("abc", 3)});
  write_ok(*store, {erase("abcd")});
  BOOST_TEST(versions(load_ok(*store, "abc")) == range(1, 3), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_newer_image_replaces_the_old_and_trims_events) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  write_ok(*store, {create("r")});
  for (std::uint64_t v = 2; v <= 10; ++v) write_ok(*store, {edit("r", v)});
  room_write fold;
  fold.room = "r";
  fold.image = test::sample_image("r", 8);
  fold.trim_events_through = 5;
  write_ok(*store, {fold});
  stored_room room = load_ok(*store, "r");
  BOOST_TEST(room.image.version == 8u);
  BOOST_TEST(versions(room) == range(6, 10), boost::test_tools::per_element());
  room_write all;
  all.room = "r";
  all.trim_events_through = UINT64_MAX;
  write_ok(*store, {all});
  BOOST_TEST(load_ok(*store, "r").events.empty());
  BOOST_TEST(store->room_count() == 1u);
}

BOOST_AUTO_TEST_CASE(an_erased_room_stays_erased) {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    write_ok(*store, {create("gone"), create("kept"), edit("gone", 2)});
    write_ok(*store, {erase("gone")});
    BOOST_TEST(!store->load("gone")->has_value());
    BOOST_TEST(!*store->exists("gone"));
    BOOST_TEST(store->room_count() == 1u);
  }
  auto store = open_ok(dir.path());
  BOOST_TEST(!store->load("gone")->has_value());
  BOOST_TEST(store->room_count() == 1u);
  BOOST_TEST(*store->list_rooms("", 10) == std::vector<std::string>{"kept"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_room_count_counts_rooms_not_flags) {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    write_ok(*store, {create("a"), create("b"), erase("never-stored")});
    BOOST_TEST(store->room_count() == 2u);
    write_ok(*store, {create("a"), create("c"), erase("c")});  // a again; c comes and goes
    BOOST_TEST(store->room_count() == 2u);
    write_ok(*store, {erase("a"), create("a"), create("d")});
    BOOST_TEST(store->room_count() == 3u);
  }
  auto store = open_ok(dir.path());
  BOOST_TEST(store->room_count() == 3u);
  write_ok(*store, {erase("a"), erase("a")});
  BOOST_TEST(store->room_count() == 2u);
}

BOOST_AUTO_TEST_CASE(rooms_list_in_pages) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  std::vector<room_write> batch;
  for (int i = 0; i < 25; ++i) batch.push_back(create(fmt_room(i)));
  write_ok(*store, std::move(batch));
  std::vector<std::string> all;
  std::string after;
  for (;;) {
    auto page = store->list_rooms(after, 10);
    BOOST_TEST_REQUIRE(page.ok());
    if (page->empty()) break;
    BOOST_TEST(page->size() <= 10u);
    all.insert(all.end(), page->begin(), page->end());
    after = page->back();
  }
  BOOST_TEST_REQUIRE(all.size() == 25u);
  for (int i = 0; i < 25; ++i) BOOST_TEST(all[i] == fmt_room(i));
}

BOOST_AUTO_TEST_CASE(a_batch_with_a_bad_write_writes_nothing) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  room_write bad_event = edit("a", 2);
  bad_event.events.front().event.as_map().extract("version");
  room_write other_image = create("a");
  other_image.image->id = "b";
  room_write erase_with_image = create("a");
  erase_with_image.erase = true;
  for (const room_write& bad :
       {create("a/b"), create(""), bad_event, other_image, erase_with_image}) {
    auto error = store->write({create("a"), bad}, true);
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST((error->code == error_code::invalid_argument));
    BOOST_TEST(!*store->exists("a"));
  }
  BOOST_TEST(store->room_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_fails_its_load_only) {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    write_ok(*store, {create("good"), create("bad")});
  }
  raw_put(dir / "rocksdb", store_keys::image_key("bad"), "\xc1garbage");
  auto store = open_ok(dir.path());
  auto loaded = store->load("bad");
  BOOST_TEST_REQUIRE(!loaded.ok());
  BOOST_TEST((loaded.error().code == error_code::unavailable));
  BOOST_TEST(contains(loaded.error().message, "room bad"));
  BOOST_TEST(contains(loaded.error().message, dir / "rocksdb"));
  load_ok(*store, "good");
}

BOOST_AUTO_TEST_CASE(a_checkpoint_opens_as_a_store_with_the_same_rooms) {
  temp_dir dir, backup;
  auto store = open_ok(dir.path());
  write_ok(*store, {create("a"), create("b"), edit("a", 2)});
  write_ok(*store, {edit("a", 3)}, false);
  const std::string target = backup / "copy";
  BOOST_TEST_REQUIRE(!store->checkpoint(target));
  write_ok(*store, {create("after")});
  BOOST_TEST(store->checkpoint(target).has_value());  // not empty any more
  auto copy = open_ok(target);
  BOOST_TEST(copy->room_count() == 2u);
  BOOST_TEST(versions(load_ok(*copy, "a")) == range(1, 3), boost::test_tools::per_element());
  BOOST_TEST(!*copy->exists("after"));
}

BOOST_AUTO_TEST_CASE(a_failing_disk_fails_writes_keeps_loads_and_the_store_recovers) {
  temp_dir dir;
  auto fs = std::make_shared<test::failing_fs>();
  store_options options;
  options.env = test::env_over(fs);
  {
    auto store = open_ok(dir.path(), options);
    write_ok(*store, {create("a")}, false);
    fs->failing = true;
    auto error = store->write({create("b"), edit("a", 2)}, true);
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST((error->code == error_code::unavailable));
    BOOST_TEST(contains(error->message, dir / "rocksdb"));
    BOOST_TEST(contains(error->message, "injected write failure"), error->message);
    BOOST_TEST(store->room_count() == 1u);
    // Still failing: the reopen fails too, a read-only handle serves loads.
    error = store->write({edit("a", 2)}, true);
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST(contains(error->message, "reopening failed"), error->message);
    BOOST_TEST(store->sync_wal().has_value());
    BOOST_TEST(versions(load_ok(*store, "a")) == range(1, 1), boost::test_tools::per_element());
    fs->failing = false;
    write_ok(*store, {edit("a", 2), create("c")});
    BOOST_TEST(store->room_count() == 2u);
    BOOST_TEST(!store->sync_wal().has_value());
  }
  auto store = open_ok(dir.path());
  BOOST_TEST(versions(load_ok(*store, "a")) == range(1, 2), boost::test_tools::per_element());
  load_ok(*store, "c");
  BOOST_TEST(store->room_count() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_wal_sync_stops_writes_until_a_reopen) {
  temp_dir dir;
  auto fs = std::make_shared<test::failing_fs>();
  store_options options;
  options.env = test::env_over(fs);
  auto store = open_ok(dir.path(), options);
  write_ok(*store, {create("a")}, false);
  fs->failing = true;
  BOOST_TEST(store->sync_wal().has_value());
  fs->failing = false;
  write_ok(*store, {edit("a", 2)}, false);
  BOOST_TEST(!store->sync_wal().has_value());
  BOOST_TEST(versions(load_ok(*store, "a")) == range(1, 2), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
