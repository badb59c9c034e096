// room_store: loads, batched writes, recovery after a failed write, and checkpoints over RocksDB
// (layout in room_store.hpp; opening in store_open.cpp; record bytes in room_codec.cpp).
#include "actors/storage/room_store.hpp"

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "actors/storage/data_dir.hpp"
#include "actors/storage/room_codec.hpp"
#include "actors/storage/store_keys.hpp"
#include "actors/storage/store_open.hpp"

namespace rooms {

namespace {

namespace keys = store_keys;

rooms_error unavailable(std::string message) {
  return rooms_error{error_code::unavailable, std::move(message)};
}

constexpr const char* closed_after_failure = "it is closed: writes failed and reopening failed";

std::string_view view(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// Puts one room's part of a batch (it passed room_store::check).
void add_index(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
               const index_change& change) {
  for (const std::string& key : change.removes) batch.Delete(family, key);
  for (const auto& [key, bytes] : change.puts) batch.Put(family, key, bytes);
}

void add_write(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* index,
               const room_write& w) {
  add_index(batch, index, w.index);
  if (w.erase) {
    batch.Delete(keys::image_key(w.room));
    batch.DeleteRange(keys::events_begin(w.room), keys::events_end(w.room));
    return;
  }
  if (w.image) batch.Put(keys::image_key(w.room), encode_room_image(*w.image));
  for (const event_record& record : w.events)
    batch.Put(keys::event_key(w.room, record.version()), encode_event_record(record));
  if (w.trim_events_through == 0) return;
  const std::uint64_t through = w.trim_events_through;
  batch.DeleteRange(keys::events_begin(w.room), through == UINT64_MAX
                                                    ? keys::events_end(w.room)
                                                    : keys::event_key(w.room, through + 1));
}

}  // namespace

result<std::unique_ptr<room_store>> room_store::open(const std::string& data_dir,
                                                     const store_options& options) {
  auto opened = store_open::open_data_dir(data_dir, options);
  if (!opened) return opened.error();
  return std::unique_ptr<room_store>(new room_store(data_dir, options, std::move(opened->db),
                                                    std::move(opened->default_family),
                                                    std::move(opened->index), opened->room_count));
}

room_store::room_store(std::string data_dir, const store_options& options,
                       std::unique_ptr<rocksdb::DB> db,
                       std::unique_ptr<rocksdb::ColumnFamilyHandle> default_family,
                       std::unique_ptr<rocksdb::ColumnFamilyHandle> index_family,
                       std::uint64_t room_count)
    : data_dir_(std::move(data_dir)),
      db_path_(data_dir::store_path(data_dir_)),
      options_(options),
      room_count_(room_count),
      db_(std::move(db)),
      default_family_(std::move(default_family)),
      index_family_(std::move(index_family)) {}

room_store::~room_store() {
  if (!db_) return;
  // After a failure the WAL must not be touched again (RocksDB asserts); Close() skips it.
  if (!stopped_by_) db_->SyncWAL().PermitUncheckedError();
  close_db();
}

void room_store::close_db() {
  index_family_.reset();
  default_family_.reset();
  if (db_) db_->Close().PermitUncheckedError();
  db_.reset();
}

rooms_error room_store::failure(std::string_view doing, const std::string& cause) const {
  return unavailable(fmt::format("cannot {} the rooms store {}: {}", doing, db_path_, cause));
}

result<std::optional<stored_room>> room_store::load(const std::string& room) const {
  const std::shared_lock lock(db_mutex_);
  if (!db_) return failure("read", closed_after_failure);
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  rocksdb::PinnableSlice bytes;
  rocksdb::Status status =
      db_->Get(read, db_->DefaultColumnFamily(), keys::image_key(room), &bytes);
  if (status.IsNotFound()) return std::optional<stored_room>{};
  if (!status.ok()) return failure("read room " + room + " from", status.ToString());
  auto image = decode_room_image(view(bytes));
  if (!image) return failure("load room " + room + " from", image.error().message);
  stored_room out{std::move(*image), {}};
  bytes.Reset();
  status = db_->Get(read, index_family_.get(), index_keys::summary_key(room), &bytes);
  if (status.ok()) {
    auto summary = decode_room_summary(view(bytes));
    if (!summary) return failure("load room " + room + " from", summary.error().message);
    out.summary = std::move(*summary);
  } else if (!status.IsNotFound()) {
    return failure("read room " + room + " from", status.ToString());
  }
  const std::string end = keys::events_end(room);
  const rocksdb::Slice upper(end);
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  for (it->Seek(keys::events_begin(room)); it->Valid(); it->Next()) {
    auto event = decode_event_record(view(it->value()));
    if (!event) return failure("load room " + room + " from", event.error().message);
    if (keys::event_version(view(it->key()), room) != event->version())
      return failure("load room " + room + " from", "an event is stored under another version");
    out.events.push_back(std::move(*event));
  }
  if (!it->status().ok()) return failure("read room " + room + " from", it->status().ToString());
  return std::optional<stored_room>{std::move(out)};
}

result<bool> room_store::image_stored(const std::string& room) const {
  if (!db_) return failure("read", closed_after_failure);
  rocksdb::PinnableSlice bytes;
  const rocksdb::Status status =
      db_->Get({}, db_->DefaultColumnFamily(), keys::image_key(room), &bytes);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return failure("read room " + room + " from", status.ToString());
  return true;
}

result<bool> room_store::exists(const std::string& room) const {
  const std::shared_lock lock(db_mutex_);
  return image_stored(room);
}

result<std::vector<std::string>> room_store::list_rooms(const std::string& after,
                                                        std::size_t limit) const {
  const std::shared_lock lock(db_mutex_);
  if (!db_) return failure("read", closed_after_failure);
  const rocksdb::Slice upper(keys::images_end.data(), keys::images_end.size());
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  const std::string start = keys::image_key(after);
  std::vector<std::string> rooms;
  for (it->Seek(start); it->Valid() && rooms.size() < limit; it->Next())
    if (view(it->key()) != start)
      rooms.emplace_back(view(it->key()).substr(keys::images_begin.size()));
  if (!it->status().ok()) return failure("list the rooms of", it->status().ToString());
  return rooms;
}

namespace {

// A cursor of the index over one RocksDB iterator (its upper bound kept alive with it).
class stored_cursor : public index_cursor {
 public:
  stored_cursor(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                const rocksdb::Snapshot* snapshot, std::string_view until)
      : until_(until), upper_(until_) {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    read.iterate_upper_bound = &upper_;
    it_.reset(db.NewIterator(read, family));
  }
  void seek(std::string_view key) override { it_->Seek(rocksdb::Slice(key.data(), key.size())); }
  void next() override { it_->Next(); }
  bool valid() const override { return it_->Valid(); }
  std::string_view key() const override { return view(it_->key()); }
  std::string_view value() const override { return view(it_->value()); }
  std::optional<rooms_error> error() const override {
    if (it_->status().ok()) return std::nullopt;
    return unavailable("cannot read the room index: " + it_->status().ToString());
  }

 private:
  std::string until_;
  rocksdb::Slice upper_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// A snapshot of the store for the index's readers; holds the store's read lock while it lives.
class stored_index_view : public index_view {
 public:
  stored_index_view(std::shared_lock<std::shared_mutex> lock, rocksdb::DB& db,
                    rocksdb::ColumnFamilyHandle* family)
      : lock_(std::move(lock)), db_(db), family_(family), snapshot_(&db) {}

  std::unique_ptr<index_cursor> cursor(std::string_view until) override {
    return std::make_unique<stored_cursor>(db_, family_, snapshot_.snapshot(), until);
  }
  result<std::vector<std::optional<std::string>>> get_many(
      const std::vector<std::string>& keys) override {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot_.snapshot();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    // The keys come in order (candidates ascend): RocksDB need not sort them.
    db_.MultiGet(read, family_, keys.size(), slices.data(), values.data(), statuses.data(),
                 std::is_sorted(keys.begin(), keys.end()));
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) {
        out.emplace_back();
      } else if (!statuses[i].ok()) {
        return unavailable("cannot read the room index: " + statuses[i].ToString());
      } else {
        out.emplace_back(values[i].ToString());
      }
    }
    return out;
  }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle* family_;
  rocksdb::ManagedSnapshot snapshot_;
};

// A view of a store whose database is closed (writes failed and reopening failed).
class closed_index_view : public index_view {
 public:
  explicit closed_index_view(rooms_error error) : error_(std::move(error)) {}
  std::unique_ptr<index_cursor> cursor(std::string_view) override {
    return std::make_unique<closed_cursor>(error_);
  }
  result<std::vector<std::optional<std::string>>> get_many(
      const std::vector<std::string>&) override {
    return error_;
  }

 private:
  class closed_cursor : public index_cursor {
   public:
    explicit closed_cursor(rooms_error error) : error_(std::move(error)) {}
    void seek(std::string_view) override {}
    void next() override {}
    bool valid() const override { return false; }
    std::string_view key() const override { return {}; }
    std::string_view value() const override { return {}; }
    std::optional<rooms_error> error() const override { return error_; }

   private:
    rooms_error error_;
  };
  rooms_error error_;
};

}  // namespace

result<bool> room_store::index_complete() const {
  const std::shared_lock lock(db_mutex_);
  if (!db_) return failure("read", closed_after_failure);
  std::string value;
  const rocksdb::Status status = db_->Get({}, keys::index_marker_key, &value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return failure("read", status.ToString());
  return true;
}

std::optional<rooms_error> room_store::mark_index_complete() {
  const std::lock_guard lock(write_mutex_);
  const std::shared_lock db_lock(db_mutex_);
  if (!db_) return failure("write to", closed_after_failure);
  rocksdb::WriteOptions options;
  options.sync = true;
  const rocksdb::Status status = db_->Put(options, keys::index_marker_key, "1");
  if (!status.ok()) return failure("write to", status.ToString());
  return std::nullopt;
}

std::unique_ptr<index_view> room_store::read_index() const {
  std::shared_lock lock(db_mutex_);
  if (!db_) return std::make_unique<closed_index_view>(failure("read", closed_after_failure));
  return std::make_unique<stored_index_view>(std::move(lock), *db_, index_family_.get());
}

std::optional<rooms_error> room_store::check(const room_write& w) {
  const auto invalid = [&](std::string_view why) {
    return rooms_error{error_code::invalid_argument,
                       fmt::format("cannot store room \"{}\": {}", w.room, why)};
  };
  if (w.room.empty() || w.room.find('/') != std::string::npos)
    return invalid("a room id is not empty and has no '/'");
  if (w.erase && (w.image || !w.events.empty()))
    return invalid("an erase carries no image or events");
  if (w.image && w.image->id != w.room) return invalid("the image is of another room");
  for (const event_record& record : w.events) {
    const value_map* event = record.event.if_map();
    const value* version = event != nullptr ? event->find("version") : nullptr;
    if (version == nullptr || version->kind() != value_kind::unsigned_integer)
      return invalid("an event has no unsigned \"version\"");
  }
  return std::nullopt;
}

// How the batch changes the room count: +1 for a first image, -1 for an erase of a stored room,
// tracked through the batch so a create and a delete of one room in it cancel out.
result<std::int64_t> room_store::count_change(const std::vector<room_write>& batch) const {
  std::unordered_map<std::string_view, bool> stored;
  std::int64_t change = 0;
  for (const room_write& w : batch) {
    if (!w.erase && !w.image) continue;
    auto it = stored.find(w.room);
    if (it == stored.end()) {
      auto before = image_stored(w.room);
      if (!before) return before.error();
      it = stored.emplace(w.room, *before).first;
    }
    change += static_cast<int>(!w.erase) - static_cast<int>(it->second);
    it->second = !w.erase;
  }
  return change;
}

// Records the failure that stops writes until recover() reopens the database.
std::optional<rooms_error> room_store::failed(std::string_view doing, const std::string& cause) {
  if (!stopped_by_) stopped_by_ = cause;
  return failure(doing, cause);
}

// RocksDB 7.8 does not resume after a WAL write or sync error (Resume() returns the error, and
// another WAL sync trips an assertion in Debian's build), so the store reopens the database,
// which replays what reached the WAL. It first probes the data dir, so a disk that still fails
// keeps the old handle, which serves loads; if the reopen fails anyway, a read-only open does.
std::optional<rooms_error> room_store::recover() {
  const std::string cause = *stopped_by_;
  if (auto probe = data_dir::check_usable(data_dir_))
    return failure("write to",
                   fmt::format("writes stopped after \"{}\"; {}", cause, probe->message));
  const std::unique_lock exclusive(db_mutex_);
  close_db();
  const rocksdb::Options options = store_open::make_options(options_);
  const auto adopt = [this](store_open::opened& opened) {
    db_ = std::move(opened.db);
    default_family_ = std::move(opened.default_family);
    index_family_ = std::move(opened.index);
  };
  auto reopened = store_open::open_store(options, db_path_, false);
  if (reopened) {
    adopt(*reopened);
    room_count_.store(reopened->room_count, std::memory_order_relaxed);
    stopped_by_.reset();
    return std::nullopt;
  }
  auto read_only = store_open::open_store(options, db_path_, true);
  if (read_only) adopt(*read_only);
  return failure("write to", fmt::format("writes stopped after \"{}\"; reopening failed: {}", cause,
                                         reopened.error().message));
}

std::optional<rooms_error> room_store::write(const std::vector<room_write>& batch, bool sync) {
  for (const room_write& w : batch)
    if (auto error = check(w)) return error;
  if (batch.empty()) return std::nullopt;
  const std::lock_guard lock(write_mutex_);
  if (stopped_by_)
    if (auto error = recover()) return error;
  const std::shared_lock db_lock(db_mutex_);
  auto change = count_change(batch);
  if (!change) return change.error();
  rocksdb::WriteBatch updates;
  for (const room_write& w : batch) add_write(updates, index_family_.get(), w);
  const std::uint64_t count = room_count_.load(std::memory_order_relaxed) + *change;
  if (*change != 0) updates.Put(keys::room_count_key, keys::encode_u64(count));
  rocksdb::WriteOptions options;
  options.sync = sync;
  const rocksdb::Status status = db_->Write(options, &updates);
  if (!status.ok()) return failed("write to", status.ToString());
  room_count_.store(count, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<rooms_error> room_store::sync_wal() {
  const std::lock_guard lock(write_mutex_);
  if (stopped_by_)
    if (auto error = recover()) return error;
  const std::shared_lock db_lock(db_mutex_);
  const rocksdb::Status status = db_->SyncWAL();
  if (!status.ok()) return failed("sync the WAL of", status.ToString());
  return std::nullopt;
}

std::optional<rooms_error> room_store::checkpoint(const std::string& target_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directory(target_dir, ec);
  if (!ec && !fs::is_empty(target_dir, ec) && !ec)
    return unavailable(fmt::format("checkpoint target {} is not empty", target_dir));
  if (ec)
    return unavailable(
        fmt::format("checkpoint target {} cannot be used: {}", target_dir, ec.message()));
  const std::shared_lock lock(db_mutex_);
  if (!db_) return failure("checkpoint", closed_after_failure);
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status status = rocksdb::Checkpoint::Create(db_.get(), &raw);
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (status.ok()) status = checkpoint->CreateCheckpoint(data_dir::store_path(target_dir));
  if (!status.ok()) return failure("checkpoint to " + target_dir + " from", status.ToString());
  return data_dir::sync_directory(target_dir);
}

}  // namespace rooms
