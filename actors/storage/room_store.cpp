// room_store: opening a data dir, loads, batched writes and checkpoints over RocksDB (layout in
// room_store.hpp; data dir checks in data_dir.cpp; record bytes in room_codec.cpp).
#include "actors/storage/room_store.hpp"

#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "actors/storage/data_dir.hpp"
#include "actors/storage/room_codec.hpp"
#include "actors/storage/store_keys.hpp"

namespace rooms {

namespace {

namespace keys = store_keys;

rooms_error unavailable(std::string message) {
  return rooms_error{error_code::unavailable, std::move(message)};
}

rocksdb::Options make_options(const store_options& options) {
  rocksdb::Options db;
  db.create_if_missing = false;
  db.paranoid_checks = true;
  // A torn WAL tail after a crash is normal and holds nothing acknowledged in sync mode; replay
  // stops there. Corruption before the tail fails the open instead of being skipped.
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

result<std::unique_ptr<rocksdb::DB>> open_db(const rocksdb::Options& options,
                                             const std::string& path) {
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options, path, &db);
  if (!status.ok())
    return unavailable(fmt::format("cannot open the rooms store {}: {}", path, status.ToString()));
  return std::unique_ptr<rocksdb::DB>(db);
}

// Builds a new store in rocksdb.init/ (marker and a zero count, synced) and renames it into
// place, so a crash part way leaves no store that lacks its marker.
std::optional<rooms_error> initialize(const std::string& data_dir, rocksdb::Options options) {
  if (auto error = data_dir::remove_stale_init(data_dir)) return error;
  options.create_if_missing = true;
  options.error_if_exists = true;
  const std::string path = data_dir::init_path(data_dir);
  auto db = open_db(options, path);
  if (!db) return db.error();
  rocksdb::WriteBatch batch;
  batch.Put(keys::format_key, keys::format_value);
  batch.Put(keys::room_count_key, keys::encode_u64(0));
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status status = (*db)->Write(write, &batch);
  if (status.ok()) status = (*db)->Close();
  if (!status.ok())
    return unavailable(
        fmt::format("cannot initialize the rooms store {}: {}", path, status.ToString()));
  db->reset();
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

std::string_view view(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// Puts one room's part of a batch (it passed room_store::check).
void add_write(rocksdb::WriteBatch& batch, const room_write& w) {
  if (w.erase) {
    batch.Delete(keys::image_key(w.room));
    batch.DeleteRange(keys::events_begin(w.room), keys::events_end(w.room));
    return;
  }
  if (w.image) batch.Put(keys::image_key(w.room), encode_room_image(*w.image));
  if (w.event)
    batch.Put(keys::event_key(w.room, w.event->version()), encode_event_record(*w.event));
  if (w.trim_events_through == 0) return;
  const std::uint64_t through = w.trim_events_through;
  batch.DeleteRange(keys::events_begin(w.room), through == UINT64_MAX
                                                    ? keys::events_end(w.room)
                                                    : keys::event_key(w.room, through + 1));
}

}  // namespace

result<std::unique_ptr<room_store>> room_store::open(const std::string& data_dir,
                                                     const store_options& options) {
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
  const std::string path = data_dir::store_path(data_dir);
  auto db = open_db(db_options, path);
  if (!db) return db.error();
  auto count = read_header(**db, path);
  if (!count) return count.error();
  return std::unique_ptr<room_store>(new room_store(data_dir, std::move(*db), options.env, *count));
}

room_store::room_store(std::string data_dir, std::unique_ptr<rocksdb::DB> db,
                       std::shared_ptr<rocksdb::Env> env, std::uint64_t room_count)
    : data_dir_(std::move(data_dir)),
      db_path_(data_dir::store_path(data_dir_)),
      env_(std::move(env)),
      db_(std::move(db)),
      room_count_(room_count) {}

room_store::~room_store() {
  // Errors have no one to go to here; a writer that cares calls sync_wal() first.
  db_->SyncWAL().PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

rooms_error room_store::failure(std::string_view doing, const std::string& status) const {
  return unavailable(fmt::format("cannot {} the rooms store {}: {}", doing, db_path_, status));
}

result<std::optional<stored_room>> room_store::load(const std::string& room) const {
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
  rocksdb::PinnableSlice bytes;
  const rocksdb::Status status =
      db_->Get({}, db_->DefaultColumnFamily(), keys::image_key(room), &bytes);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return failure("read room " + room + " from", status.ToString());
  return true;
}

result<bool> room_store::exists(const std::string& room) const { return image_stored(room); }

result<std::vector<std::string>> room_store::list_rooms(const std::string& after,
                                                        std::size_t limit) const {
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

std::optional<rooms_error> room_store::check(const room_write& w) {
  const auto invalid = [&](std::string_view why) {
    return rooms_error{error_code::invalid_argument,
                       fmt::format("cannot store room \"{}\": {}", w.room, why)};
  };
  if (w.room.empty() || w.room.find('/') != std::string::npos)
    return invalid("a room id is not empty and has no '/'");
  if (w.erase && (w.image || w.event)) return invalid("an erase carries no image or event");
  if (w.image && w.image->id != w.room) return invalid("the image is of another room");
  if (!w.event) return std::nullopt;
  const nlohmann::json& event = w.event->event;
  const auto version = event.find("version");  // end() for a non-map too
  if (version == event.end() || !version->is_number_unsigned())
    return invalid("the event has no unsigned \"version\"");
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

std::optional<rooms_error> room_store::resume_if_needed() {
  if (!needs_resume_) return std::nullopt;
  // After a failed write RocksDB may refuse every write until resumed (a full disk).
  const rocksdb::Status status = db_->Resume();
  if (!status.ok()) return failure("resume writing to", status.ToString());
  needs_resume_ = false;
  return std::nullopt;
}

std::optional<rooms_error> room_store::write(const std::vector<room_write>& batch, bool sync) {
  for (const room_write& w : batch)
    if (auto error = check(w)) return error;
  if (batch.empty()) return std::nullopt;
  const std::lock_guard lock(write_mutex_);
  if (auto error = resume_if_needed()) return error;
  auto change = count_change(batch);
  if (!change) return change.error();
  rocksdb::WriteBatch updates;
  for (const room_write& w : batch) add_write(updates, w);
  const std::uint64_t count = room_count_.load(std::memory_order_relaxed) + *change;
  if (*change != 0) updates.Put(keys::room_count_key, keys::encode_u64(count));
  rocksdb::WriteOptions options;
  options.sync = sync;
  const rocksdb::Status status = db_->Write(options, &updates);
  if (!status.ok()) {
    needs_resume_ = true;
    return failure("write to", status.ToString());
  }
  room_count_.store(count, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<rooms_error> room_store::sync_wal() {
  const rocksdb::Status status = db_->SyncWAL();
  if (!status.ok()) return failure("sync the WAL of", status.ToString());
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
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status status = rocksdb::Checkpoint::Create(db_.get(), &raw);
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (status.ok()) status = checkpoint->CreateCheckpoint(data_dir::store_path(target_dir));
  if (!status.ok()) return failure("checkpoint to " + target_dir + " from", status.ToString());
  return data_dir::sync_directory(target_dir);
}

}  // namespace rooms
