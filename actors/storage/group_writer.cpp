// group_writer: the writer thread's loop, batching and async WAL syncs (group_writer.hpp).
#include "actors/storage/group_writer.hpp"

#include <exception>
#include <utility>

#include <fmt/format.h>

namespace rooms {

namespace {

rooms_error stopped() {
  return rooms_error{error_code::unavailable, "the storage writer has stopped"};
}

// Per write: its own error if room_store::check refuses it. Empty if all pass (the usual case).
std::vector<std::optional<rooms_error>> refusals(const std::vector<room_write>& writes) {
  std::vector<std::optional<rooms_error>> refused;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    auto error = room_store::check(writes[i]);
    if (!error) continue;
    refused.resize(writes.size());
    refused[i] = std::move(error);
  }
  return refused;
}

// Drops the refused writes, keeping the order of the rest.
void drop_refused(std::vector<room_write>& writes,
                  const std::vector<std::optional<rooms_error>>& refused) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < writes.size(); ++i)
    if (!refused[i]) writes[kept++] = std::move(writes[i]);
  writes.erase(writes.begin() + static_cast<std::ptrdiff_t>(kept), writes.end());
}

}  // namespace

batch_target batch_target::of(room_store& store) {
  return batch_target{[&store](const std::vector<room_write>& batch, bool sync) {
                        return store.write(batch, sync);
                      },
                      [&store] { return store.sync_wal(); }};
}

group_writer::group_writer(batch_target target, durability mode, group_writer_options options)
    : target_(std::move(target)), mode_(mode), options_(std::move(options)) {
  if (mode_ != durability::none) thread_ = std::thread([this] { run(); });
}

group_writer::~group_writer() { stop(); }

void group_writer::submit(room_write w, completion done) {
  if (mode_ == durability::none) {
    done(std::nullopt);
    return;
  }
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    done(stopped());
    return;
  }
  // The writer sleeps only on an empty queue, so only the first write of a batch wakes it.
  const bool was_empty = queued_writes_.empty();
  queued_writes_.push_back(std::move(w));
  queued_done_.push_back(std::move(done));
  lock.unlock();
  if (was_empty) wakeup_.notify_one();
}

void group_writer::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_one();
  if (thread_.joinable()) thread_.join();
}

group_writer::counters group_writer::stats() const {
  const auto get = [](const std::atomic<std::uint64_t>& n) {
    return n.load(std::memory_order_relaxed);
  };
  return counters{get(batches_),        get(writes_),    get(synced_batches_),
                  get(failed_batches_), get(wal_syncs_), get(failed_wal_syncs_)};
}

void group_writer::run() {
  // Swapped with the queue, so both keep their capacity from batch to batch.
  std::vector<room_write> writes;
  std::vector<completion> done;
  std::unique_lock lock(mutex_);
  for (;;) {
    wait_for_work(lock);
    if (queued_writes_.empty() && stopping_) break;
    writes.swap(queued_writes_);
    done.swap(queued_done_);
    lock.unlock();
    if (!writes.empty()) write_batch(writes, done);
    sync_if_due(false);
    writes.clear();
    done.clear();
    lock.lock();
  }
  lock.unlock();
  sync_if_due(true);
}

// Returns with work queued, or stopping, or (async mode) a sync due.
void group_writer::wait_for_work(std::unique_lock<std::mutex>& lock) {
  const auto ready = [this] { return !queued_writes_.empty() || stopping_; };
  if (!unsynced_since_) return wakeup_.wait(lock, ready);
  wakeup_.wait_until(lock, *unsynced_since_ + options_.async_sync_interval, ready);
}

void group_writer::write_batch(std::vector<room_write>& writes, std::vector<completion>& done) {
  const auto refused = refusals(writes);
  if (!refused.empty()) drop_refused(writes, refused);
  std::optional<rooms_error> error;
  if (!writes.empty()) {
    error = write_to_target(writes);
    batches_.fetch_add(1, std::memory_order_relaxed);
    if (error) failed_batches_.fetch_add(1, std::memory_order_relaxed);
    if (!error && mode_ == durability::sync)
      synced_batches_.fetch_add(1, std::memory_order_relaxed);
    if (!error && mode_ == durability::async && !unsynced_since_) unsynced_since_ = clock::now();
  }
  // Counted first, so a thread woken by a completion sees its write in stats().
  writes_.fetch_add(done.size(), std::memory_order_relaxed);
  for (std::size_t i = 0; i < done.size(); ++i) {
    const bool own_error = !refused.empty() && refused[i];
    done[i](own_error ? refused[i] : error);
  }
}

// The one place a target's exception (bad_alloc encoding a huge batch) becomes a value.
std::optional<rooms_error> group_writer::write_to_target(const std::vector<room_write>& writes) {
  try {
    return target_.write(writes, mode_ == durability::sync);
  } catch (const std::exception& e) {
    return rooms_error{error_code::unavailable, fmt::format("storage write failed: {}", e.what())};
  }
}

// Async mode: syncs the WAL once the oldest unsynced write is an interval old (or at `force`).
void group_writer::sync_if_due(bool force) {
  if (!unsynced_since_) return;
  const auto now = clock::now();
  if (!force && now < *unsynced_since_ + options_.async_sync_interval) return;
  auto error = target_.sync_wal();
  if (!error) {
    unsynced_since_.reset();
    wal_syncs_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  unsynced_since_ = now;  // retry an interval later instead of spinning
  failed_wal_syncs_.fetch_add(1, std::memory_order_relaxed);
  if (options_.on_sync_failure) options_.on_sync_failure(*error);
}

}  // namespace rooms
