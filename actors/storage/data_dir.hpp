// The checks a node's data dir passes before RocksDB opens it, and the file operations that
// create a store in it atomically (the layout is in room_store.hpp). Internal to the storage layer.
#pragma once

#include <optional>
#include <string>

#include "protocol/result.hpp"

namespace rooms::data_dir {

/// "<data_dir>/rocksdb": the store.
std::string store_path(const std::string& data_dir);

/// "<data_dir>/rocksdb.init": where a new store is built before it is renamed to store_path.
std::string init_path(const std::string& data_dir);

/// Nullopt if `data_dir` exists, is a directory and takes a synced file (a probe, removed at
/// once). Else `unavailable`: "data dir <path> does not exist", "... is not a directory" or
/// "... is not writable: <cause>".
std::optional<rooms_error> check_usable(const std::string& data_dir);

/// What a usable data dir holds. lost+found, a stale rocksdb.init/ and the write probe do not
/// count: a data dir holding only those is empty.
struct contents {
  bool has_store = false;
  /// The name of an entry that is none of the above, if any.
  std::optional<std::string> foreign;
};

/// The contents of `data_dir`, or `unavailable` if it cannot be listed.
result<contents> inspect(const std::string& data_dir);

/// Removes a stale init_path (it never acknowledged anything).
std::optional<rooms_error> remove_stale_init(const std::string& data_dir);

/// Renames init_path to store_path and fsyncs the data dir, so the store appears whole or not
/// at all.
std::optional<rooms_error> publish_init(const std::string& data_dir);

/// Fsyncs the directory `path`, making the names created or renamed in it durable.
std::optional<rooms_error> sync_directory(const std::string& path);

}  // namespace rooms::data_dir
