// Tests of opening a data dir (actors/storage/room_store.hpp, store_open.hpp): good, empty,
// foreign, unwritable and corrupt data dirs, each error naming the path and the cause.
#include "actors/storage/room_store.hpp"

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "actors/storage/store_keys.hpp"
#include "tests/storage/store_test_helpers.hpp"

namespace rooms {

namespace {

namespace fs = std::filesystem;
using namespace test;

// The open error for `dir`, after checking it is `unavailable` and names `path`.
std::string open_error(const std::string& dir, const std::string& path,
                       const store_options& options = {}) {
  auto store = room_store::open(dir, options);
  BOOST_TEST_REQUIRE(!store.ok());
  BOOST_TEST((store.error().code == error_code::unavailable));
  BOOST_TEST(store.error().message.find(path) != std::string::npos, store.error().message);
  return store.error().message;
}

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

}  // namespace rooms
