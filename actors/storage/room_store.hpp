// room_store: rooms kept durably in an embedded RocksDB (issue 4). The on-disk layout below is
// the specification. Plain C++, no CAF: the room actor and the directory call it through
// group_writer (writes) and directly (loads).
//
// <data_dir>/rocksdb/        the RocksDB database. It is built in <data_dir>/rocksdb.init/ and
//                            renamed once its marker is synced, so "rocksdb/" is always a store.
// Keys in the database:
//   "meta/format"            "rooms-store-1": the marker; a database without it is not opened
//   "meta/room_count"        the number of stored rooms, 8 bytes big-endian
//   "r/<room id>"            the room's image (room_codec.hpp)
//   "e/<room id>/<version>"  an event record (room_codec.hpp); <version> is 8 bytes big-endian,
//                            so one room's events sort by version and a trim is one range delete
//   "meta/index"             present once every stored room has its index keys
// The room index (room_index.hpp: summaries "s/", postings "i/", deadlines "t/") lives in the
// column family "index" (uncompressed 1 KiB blocks, a memtable bloom filter), written in the
// same write batch as the change it follows: one WAL record, so both land or neither.
// Room ids never contain '/' (they are UUIDs; check() refuses others), so "e/<id>/" prefixes
// that room's events only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "actors/storage/room_image.hpp"
#include "actors/storage/room_index.hpp"
#include "protocol/result.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
}  // namespace rocksdb

namespace rooms {

struct store_options {
  /// Initialize an empty data dir. Tools that only inspect a store pass false, so a mistyped
  /// path is an error instead of a new empty store.
  bool create_if_empty = true;
  /// RocksDB memtable size. Larger means fewer flushes and less write amplification, but more
  /// memory and a longer WAL replay when the node restarts.
  std::size_t write_buffer_bytes = 32 << 20;
  /// Block cache for loads. Larger restores rooms faster after a restart and costs memory.
  std::size_t block_cache_bytes = 32 << 20;
  /// The OS seam: RocksDB's file access. Null is the real file system; tests pass an Env that
  /// fails writes on demand (a full disk).
  std::shared_ptr<rocksdb::Env> env;
};

/// A room as stored: its last folded image and its stored events, ascending by version. Events
/// at or below image.version are kept for subscribe-since; the caller replays those above it.
struct stored_room {
  room_image image;
  std::vector<event_record> events;
  /// The room's summary as the index holds it (written with its last change); nullopt in a
  /// store written before the index.
  std::optional<room_summary> summary = std::nullopt;
};

/// One room's part of a batch, applied in this order: the image, the events, the trim. `erase`
/// stands alone (no image or events). A room is stored (loadable, counted) from its first image
/// until an erase, so a create carries the image; the store keeps the count without a flag.
struct room_write {
  std::string room;
  /// The room folded at image->version, replacing the stored image.
  std::optional<room_image> image;
  /// The room's changes since its last write, ascending by version.
  std::vector<event_record> events;
  /// Delete the events with version <= this (0: none). One range delete each: trim when
  /// folding, not on every edit.
  std::uint64_t trim_events_through = 0;
  /// The room was deleted: remove its image and all its events.
  bool erase = false;
  /// The room's index keys that change with this write (applied after the rest).
  index_change index = {};
};

class room_store {
 public:
  /// Opens the store in `data_dir`, which must exist, be a directory and be writable. An empty
  /// data dir is initialized (if options.create_if_empty); one that holds other files but no
  /// store, a store without its marker, or one RocksDB cannot open (corruption, locked by another
  /// process) is an error. Every error is `unavailable` and names the path and the cause.
  static result<std::unique_ptr<room_store>> open(const std::string& data_dir,
                                                  const store_options& options = {});

  /// Syncs the WAL (so an async-mode store closes durable) and closes the database.
  ~room_store();
  room_store(const room_store&) = delete;
  room_store& operator=(const room_store&) = delete;

  /// The room's image and events from one consistent snapshot, nullopt if the room is not
  /// stored (never created, or erased). Read errors and undecodable records are `unavailable`.
  /// Thread-safe.
  result<std::optional<stored_room>> load(const std::string& room) const;

  /// Whether the room has a stored image, by a point lookup. Thread-safe.
  result<bool> exists(const std::string& room) const;

  /// Rooms stored, as of the last successful write. Thread-safe.
  std::uint64_t room_count() const { return room_count_.load(std::memory_order_relaxed); }

  /// Up to `limit` stored room ids greater than `after` ("" for the first page), ascending.
  result<std::vector<std::string>> list_rooms(const std::string& after, std::size_t limit) const;

  /// Whether every stored room has its index keys: true for a store made with the index; a
  /// store made before it needs one pass (actors/index_upgrade.hpp), then mark_index_complete().
  result<bool> index_complete() const;
  std::optional<rooms_error> mark_index_complete();

  /// A consistent read of the room index (one snapshot) for `list` and expiry. Thread-safe;
  /// the view holds the store open while it lives.
  std::unique_ptr<index_view> read_index() const;

  /// Whether `w` may be written: a room id without '/', an image of that room, an event with an
  /// unsigned "version", and erase alone (with its index change). `invalid_argument` says why not.
  static std::optional<rooms_error> check(const room_write& w);

  /// Writes the whole batch as one RocksDB write batch, fsynced before returning if `sync`, and
  /// keeps the room count. Every write must pass check(), else nothing is written. A failure
  /// (disk full, I/O error) is `unavailable`, and the batch may or may not have reached the disk
  /// (written but not synced). After a failure every write first reopens the database, once a
  /// probe file can be written to the data dir again; until then writes fail and loads still
  /// work. Thread-safe; group_writer is the one writer in a node.
  std::optional<rooms_error> write(const std::vector<room_write>& batch, bool sync);

  /// Fsyncs the WAL: makes every earlier write durable (async mode calls it each second). After
  /// a failure, `unavailable` until a write has reopened the database.
  std::optional<rooms_error> sync_wal();

  /// An online backup: a consistent copy in `target_dir` (created if missing; must be empty)
  /// that open() accepts as a data dir. Hard-links table files when on the same file system.
  std::optional<rooms_error> checkpoint(const std::string& target_dir);

  /// The data dir this store was opened in.
  const std::string& data_dir() const { return data_dir_; }

 private:
  room_store(std::string data_dir, const store_options& options, std::unique_ptr<rocksdb::DB> db,
             std::unique_ptr<rocksdb::ColumnFamilyHandle> default_family,
             std::unique_ptr<rocksdb::ColumnFamilyHandle> index_family, std::uint64_t room_count);
  /// Closes the database (its column family handles first).
  void close_db();

  result<bool> image_stored(const std::string& room) const;  // caller holds db_mutex_
  result<std::int64_t> count_change(const std::vector<room_write>& batch) const;
  std::optional<rooms_error> recover();
  std::optional<rooms_error> failed(std::string_view doing, const std::string& cause);
  rooms_error failure(std::string_view doing, const std::string& cause) const;

  const std::string data_dir_;
  const std::string db_path_;
  const store_options options_;  // holds the Env, which outlives db_
  std::atomic<std::uint64_t> room_count_;

  // Shared by every use of db_, exclusive to replace it (recover()).
  mutable std::shared_mutex db_mutex_;
  std::unique_ptr<rocksdb::DB> db_;  // null only after a reopen that failed
  // The column families of db_ (the room index has its own, store_open.hpp); destroyed first.
  std::unique_ptr<rocksdb::ColumnFamilyHandle> default_family_;
  std::unique_ptr<rocksdb::ColumnFamilyHandle> index_family_;

  // Serializes write(), sync_wal() and recover().
  std::mutex write_mutex_;
  // The write or sync failure that stopped writes (guarded by write_mutex_). RocksDB then
  // refuses writes until the database is reopened, which the next write() tries.
  std::optional<std::string> stopped_by_;
};

}  // namespace rooms
