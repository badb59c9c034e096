// How room_store opens a data dir: checks, atomic creation of a new store, the RocksDB options,
// and the marker and room count read at open (layout in room_store.hpp). Internal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "actors/storage/room_store.hpp"

namespace rooms::store_open {

/// The column family of the room index (room_index.hpp): uncompressed small blocks, since
/// `list` reads one summary per room it returns, at random places.
inline constexpr const char* index_family = "index";

/// An open store database, its column families and the room count it holds. The handles go
/// before the database (members are destroyed in reverse order).
struct opened {
  std::unique_ptr<rocksdb::DB> db;
  std::unique_ptr<rocksdb::ColumnFamilyHandle> default_family;
  std::unique_ptr<rocksdb::ColumnFamilyHandle> index;
  std::uint64_t room_count = 0;
};

/// The RocksDB options of a store (never create_if_missing).
rocksdb::Options make_options(const store_options& options);
/// The options of the index column family.
rocksdb::ColumnFamilyOptions index_family_options(const rocksdb::Options& db);

/// Checks `data_dir`, creates a store in it if it is empty (and options allow), and opens the
/// store. Errors are `unavailable` and name the path and the cause.
result<opened> open_data_dir(const std::string& data_dir, const store_options& options);

/// Opens the existing store database at `path` and reads its header, writable or read-only.
result<opened> open_store(const rocksdb::Options& options, const std::string& path, bool read_only);

}  // namespace rooms::store_open
