// Tests of room_store (actors/storage/room_store.hpp): opening good and bad data dirs, writes
// and loads, trims, erases, the room count, checkpoints and write failures.
#include "actors/storage/room_store.hpp"

#include <filesystem>

#include <rocksdb/db.h>
#include <boost/test/unit_test.hpp>

#include "actors/storage/store_keys.hpp"
#include "tests/storage/storage_test_util.hpp"

namespace rooms {

namespace {

namespace fs = std::filesystem;
using test::temp_dir;

std::unique_ptr<room_store> open_ok(const std::string& dir, const store_options& options = {}) {
  auto store = room_store::open(dir, options);
  BOOST_TEST_REQUIRE(store.ok(), (store.ok() ? "" : store.error().message));
  return std::move(*store);
}

// The open error for `dir`, after checking it is `unavailable` and names `path`.
std::string open_error(const std::string& dir, const std::string& path,
                       const store_options& options = {}) {
  auto store = room_store::open(dir, options);
  BOOST_TEST_REQUIRE(!store.ok());
  BOOST_TEST((store.error().code == error_code::unavailable));
  BOOST_TEST(store.error().message.find(path) != std::string::npos, store.error().message);
  return store.error().message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void write_ok(room_store& store, std::vector<room_write> batch, bool sync = true) {
  auto error = store.write(batch, sync);
  BOOST_TEST_REQUIRE(!error, (error ? error->message : ""));
}

room_write create(const std::string& room) {
  room_write w;
  w.room = room;
  w.image = test::sample_image(room);
  w.event = test::sample_event(1);
  return w;
}

room_write edit(const std::string& room, std::uint64_t version, bool keyed = false) {
  room_write w;
  w.room = room;
  w.event = test::sample_event(version, keyed);
  return w;
}

room_write erase(const std::string& room) {
  room_write w;
  w.room = room;
  w.erase = true;
  return w;
}

stored_room load_ok(const room_store& store, const std::string& room) {
  auto loaded = store.load(room);
  BOOST_TEST_REQUIRE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  BOOST_TEST_REQUIRE(loaded->has_value(), "room " << room << " is not stored");
  return std::move(**loaded);
}

std::vector<std::uint64_t> versions(const stored_room& room) {
  std::vector<std::uint64_t> out;
  for (const event_record& e : room.events) out.push_back(e.version());
  return out;
}

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t v = from; v <= to; ++v) out.push_back(v);
  return out;
}

// Writes straight into the RocksDB of a closed store.
void raw_put(const std::string& db_path, const std::string& key, const std::string& value,
             bool create = false) {
  rocksdb::Options options;
  options.create_if_missing = create;
  rocksdb::DB* db = nullptr;
  BOOST_TEST_REQUIRE(rocksdb::DB::Open(options, db_path, &db).ok());
  BOOST_TEST(db->Put({}, key, value).ok());
  delete db;
}

std::string fmt_room(int i) { return (i < 10 ? "room-0" : "room-") + std::to_string(i); }

std::string first_file_starting(const std::string& dir, const std::string& prefix) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with(prefix)) return entry.path().string();
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(room_store_open)

BOOST_AUTO_TEST_CASE(a_missing_data_dir_is_an_error) {
  temp_dir dir;
  BOOST_TEST(contains(open_error(dir / "missing", dir / "missing"), "does not exist"));
}

BOOST_AUTO_TEST_CASE(a_file_is_not_a_data_dir) {
  temp_dir dir;
  test::write_file(dir / "file", "x");
  BOOST_TEST(contains(open_error(dir / "file", dir / "file"), "is not a directory"));
}

BOOST_AUTO_TEST_CASE(an_unwritable_data_dir_is_an_error) {
  temp_dir dir;
  test::immutable_dir read_only(dir.path());
  if (!read_only.ok()) {
    BOOST_TEST_MESSAGE("skipped: cannot make a directory immutable");
    return;
  }
  BOOST_TEST(contains(open_error(dir.path(), dir.path()), "is not writable"));
}

BOOST_AUTO_TEST_CASE(a_store_in_an_unwritable_data_dir_is_an_error) {
  temp_dir dir;
  open_ok(dir.path());
  test::immutable_dir read_only(dir.path());
  if (!read_only.ok()) {
    BOOST_TEST_MESSAGE("skipped: cannot make a directory immutable");
    return;
  }
  BOOST_TEST(contains(open_error(dir.path(), dir.path()), "is not writable"));
}

BOOST_AUTO_TEST_CASE(an_empty_data_dir_is_initialized) {
  temp_dir dir;
  auto store = open_ok(dir.path());
  BOOST_TEST(store->room_count() == 0u);
  BOOST_TEST(store->data_dir() == dir.path());
  BOOST_TEST(fs::is_directory(dir / "rocksdb"));
  BOOST_TEST(!fs::exists(dir / "rocksdb.init"));
  BOOST_TEST(!fs::exists(dir / ".rooms-write-probe"));
}

BOOST_AUTO_TEST_CASE(lost_found_and_a_stale_init_count_as_empty) {
  temp_dir dir;
  fs::create_directory(dir / "lost+found");
  fs::create_directory(dir / "rocksdb.init");
  test::write_file(dir / "rocksdb.init/CURRENT", "garbage");
  open_ok(dir.path());
  BOOST_TEST(!fs::exists(dir / "rocksdb.init"));
}

BOOST_AUTO_TEST_CASE(without_create_if_empty_an_empty_dir_is_an_error) {
  temp_dir dir;
  store_options options;
  options.create_if_empty = false;
  BOOST_TEST(contains(open_error(dir.path(), dir.path(), options), "holds no rooms store"));
  BOOST_TEST(!fs::exists(dir / "rocksdb"));
}

BOOST_AUTO_TEST_CASE(a_dir_with_other_files_is_not_taken_over) {
  temp_dir dir;
  test::write_file(dir / "notes.txt", "mine");
  BOOST_TEST(contains(open_error(dir.path(), dir.path()), "\"notes.txt\""));
  BOOST_TEST(!fs::exists(dir / "rocksdb"));
}

BOOST_AUTO_TEST_CASE(a_garbage_current_file_is_an_error_naming_the_store) {
  temp_dir dir;
  open_ok(dir.path());
  test::write_file(dir / "rocksdb/CURRENT", "not a manifest name");
  BOOST_TEST(contains(open_error(dir.path(), dir / "rocksdb"), "Corruption"));
}

BOOST_AUTO_TEST_CASE(a_garbage_manifest_is_an_error_naming_the_store) {
  temp_dir dir;
  open_ok(dir.path());
  const std::string manifest = first_file_starting(dir / "rocksdb", "MANIFEST-");
  BOOST_TEST_REQUIRE(!manifest.empty());
  test::write_file(manifest, std::string(4096, '\x5a'));
  open_error(dir.path(), dir / "rocksdb");
}

BOOST_AUTO_TEST_CASE(a_missing_current_file_is_an_error_not_a_new_store) {
  temp_dir dir;
  {
    auto store = open_ok(dir.path());
    write_ok(*store, {create("a")});
  }
  fs::remove(dir / "rocksdb/CURRENT");
  open_error(dir.path(), dir / "rocksdb");
}

BOOST_AUTO_TEST_CASE(a_rocksdb_without_the_marker_is_an_error) {
  temp_dir dir;
  fs::create_directory(dir / "rocksdb");
  raw_put(dir / "rocksdb", "other", "data", true);
  BOOST_TEST(contains(open_error(dir.path(), dir / "rocksdb"), "not a rooms store"));
}

BOOST_AUTO_TEST_CASE(a_newer_store_format_is_an_error) {
  temp_dir dir;
  open_ok(dir.path());
  raw_put(dir / "rocksdb", std::string(store_keys::format_key), "rooms-store-99");
  BOOST_TEST(contains(open_error(dir.path(), dir / "rocksdb"), "rooms-store-99"));
}

BOOST_AUTO_TEST_CASE(a_store_open_elsewhere_is_an_error) {
  temp_dir dir;
  auto first = open_ok(dir.path());
  BOOST_TEST(contains(open_error(dir.path(), dir / "rocksdb"), "lock"));
}

BOOST_AUTO_TEST_SUITE_END()

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
  bad_event.event->event.erase("version");
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
