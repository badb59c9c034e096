// Opening and creating room_store's database (store_open.hpp; layout in room_store.hpp).
#include "actors/storage/store_open.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "actors/storage/data_dir.hpp"
#include "actors/storage/store_keys.hpp"

namespace rooms::store_open {

namespace {

namespace keys = store_keys;

rooms_error unavailable(std::string message) {
  return rooms_error{error_code::unavailable, std::move(message)};
}

// Opens the database with both column families (the index one is created in a store made
// before it, unless read-only).
result<opened> open_db(const rocksdb::Options& options, const std::string& path, bool read_only) {
  rocksdb::DBOptions db_options(options);
  db_options.create_missing_column_families = !read_only;
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)},
      {index_family, index_family_options(options)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status =
      read_only ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &handles, &db)
                : rocksdb::DB::Open(db_options, path, families, &handles, &db);
  if (!status.ok())
    return unavailable(fmt::format("cannot open the rooms store {}: {}", path, status.ToString()));
  opened out;
  out.db.reset(db);
  out.default_family.reset(handles[0]);
  out.index.reset(handles[1]);
  return out;
}

// Builds a new store in rocksdb.init/ (marker and a zero count, synced) and renames it into
// place, so a crash part way leaves no store that lacks its marker.
std::optional<rooms_error> initialize(const std::string& data_dir, rocksdb::Options options) {
  if (auto error = data_dir::remove_stale_init(data_dir)) return error;
  options.create_if_missing = true;
  options.error_if_exists = true;
  const std::string path = data_dir::init_path(data_dir);
  auto store = open_db(options, path, false);
  if (!store) return store.error();
  auto& db = store->db;
  rocksdb::WriteBatch batch;
  batch.Put(keys::format_key, keys::format_value);
  batch.Put(keys::room_count_key, keys::encode_u64(0));
  batch.Put(keys::index_marker_key, "1");
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status status = db->Write(write, &batch);
  store->index.reset();
  store->default_family.reset();
  if (status.ok()) status = db->Close();
  if (!status.ok())
    return unavailable(
        fmt::format("cannot initialize the rooms store {}: {}", path, status.ToString()));
  db.reset();
  return data_dir::publish_init(data_dir);
}

// The room count of an open store, after checking its marker.
result<std::uint64_t> read_header(rocksdb::DB& db, const std::string& path) {
  std::string value;
  rocksdb::Status status = db.Get({}, keys::format_key, &value);
  if (status.IsNotFound())
    return unavailable(fmt::format("{} is a RocksDB database but not a rooms store (no {} key)",
                                   path, keys::format_key));
  if (status.ok() && value != keys::format_value)
    return unavailable(fmt::format("{} holds store format \"{}\"; this build reads \"{}\"", path,
                                   value, keys::format_value));
  if (status.ok()) status = db.Get({}, keys::room_count_key, &value);
  if (!status.ok())
    return unavailable(fmt::format("cannot read the rooms store {}: {}", path, status.ToString()));
  auto count = keys::decode_u64(value);
  if (!count) return unavailable(fmt::format("the room count in {} is corrupt", path));
  return *count;
}

}  // namespace

rocksdb::Options make_options(const store_options& options) {
  rocksdb::Options db;
  db.create_if_missing = false;
  db.paranoid_checks = true;
  // Replay stops at the first bad WAL record. After a crash that is the torn tail, which holds
  // nothing a sync-mode response acknowledged. (kAbsoluteConsistency would refuse to start after
  // every power loss; the price here is that rot inside the WAL drops what follows it.)
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.write_buffer_size = options.write_buffer_bytes;
  db.keep_log_file_num = 4;
  if (options.env) db.env = options.env.get();
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // exists() and loads of unknown rooms are point lookups that mostly miss.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return db;
}

rocksdb::ColumnFamilyOptions index_family_options(const rocksdb::Options& db) {
  rocksdb::ColumnFamilyOptions family(db);
  // Summaries are read one per room a `list` returns: a miss of the block cache should read
  // little and decompress nothing.
  rocksdb::BlockBasedTableOptions table =
      *db.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
  table.block_size = 1024;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.compression = rocksdb::kNoCompression;
  // Most summaries a `list` reads are not in the memtable: a bloom filter over its keys skips
  // the skiplist walk for them (at a million rooms that walk was the largest cost), and a
  // smaller memtable keeps the walk short for those that are.
  family.memtable_whole_key_filtering = true;
  family.memtable_prefix_bloom_size_ratio = 0.1;
  family.write_buffer_size = std::min<std::size_t>(db.write_buffer_size, 8 << 20);
  return family;
}

result<opened> open_store(const rocksdb::Options& options, const std::string& path,
                          bool read_only) {
  auto store = open_db(options, path, read_only);
  if (!store) return store.error();
  auto count = read_header(*store->db, path);
  if (!count) return count.error();
  store->room_count = *count;
  return std::move(*store);
}

result<opened> open_data_dir(const std::string& data_dir, const store_options& options) {
  if (auto error = data_dir::check_usable(data_dir)) return *error;
  auto contents = data_dir::inspect(data_dir);
  if (!contents) return contents.error();
  const rocksdb::Options db_options = make_options(options);
  if (!contents->has_store && contents->foreign)
    return unavailable(fmt::format(
        "data dir {} holds \"{}\" but no rooms store ({} is missing); refusing to create a "
        "store over files it does not know",
        data_dir, *contents->foreign, data_dir::store_path(data_dir)));
  if (!contents->has_store && !options.create_if_empty)
    return unavailable(fmt::format("data dir {} holds no rooms store", data_dir));
  if (!contents->has_store)
    if (auto error = initialize(data_dir, db_options)) return *error;
  return open_store(db_options, data_dir::store_path(data_dir), false);
}

}  // namespace rooms::store_open
