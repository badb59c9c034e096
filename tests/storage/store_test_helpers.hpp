// Helpers for tests that drive a real room_store: opening, writing and loading with the
// result checked, room_write builders, and raw RocksDB access behind the store's back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <boost/test/unit_test.hpp>

#include "actors/storage/room_store.hpp"
#include "tests/storage/storage_test_util.hpp"

namespace rooms::test {

inline std::unique_ptr<room_store> open_ok(const std::string& dir,
                                           const store_options& options = {}) {
  auto store = room_store::open(dir, options);
  BOOST_TEST_REQUIRE(store.ok(), (store.ok() ? "" : store.error().message));
  return std::move(*store);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline void write_ok(room_store& store, std::vector<room_write> batch, bool sync = true) {
  auto error = store.write(batch, sync);
  BOOST_TEST_REQUIRE(!error, (error ? error->message : ""));
}

inline room_write create(const std::string& room) {
  room_write w;
  w.room = room;
  w.image = sample_image(room);
  w.events.push_back(sample_event(1));
  return w;
}

inline room_write edit(const std::string& room, std::uint64_t version, bool keyed = false) {
  room_write w;
  w.room = room;
  w.events.push_back(sample_event(version, keyed));
  return w;
}

inline room_write erase(const std::string& room) {
  room_write w;
  w.room = room;
  w.erase = true;
  return w;
}

inline stored_room load_ok(const room_store& store, const std::string& room) {
  auto loaded = store.load(room);
  BOOST_TEST_REQUIRE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  BOOST_TEST_REQUIRE(loaded->has_value(), "room " << room << " is not stored");
  return std::move(**loaded);
}

inline std::vector<std::uint64_t> versions(const stored_room& room) {
  std::vector<std::uint64_t> out;
  for (const event_record& e : room.events) out.push_back(e.version());
  return out;
}

inline std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t v = from; v <= to; ++v) out.push_back(v);
  return out;
}

// Opens the RocksDB of a closed store behind its back, with whatever column families it has,
// and runs `use` on it (the default family).
template <class Use>
void with_raw_db(const std::string& db_path, bool create, Use&& use) {
  rocksdb::Options options;
  options.create_if_missing = create;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, db_path, &names).ok()) names = {"default"};
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  BOOST_TEST_REQUIRE(rocksdb::DB::Open(options, db_path, families, &handles, &db).ok());
  use(*db);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  delete db;
}

// Writes straight into the RocksDB of a closed store.
inline void raw_put(const std::string& db_path, const std::string& key, const std::string& value,
                    bool create = false) {
  with_raw_db(db_path, create, [&](rocksdb::DB& db) { BOOST_TEST(db.Put({}, key, value).ok()); });
}

// Deletes a key straight from the RocksDB of a closed store.
inline void raw_delete(const std::string& db_path, const std::string& key) {
  with_raw_db(db_path, false, [&](rocksdb::DB& db) { BOOST_TEST(db.Delete({}, key).ok()); });
}

}  // namespace rooms::test
