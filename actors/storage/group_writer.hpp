// group_writer: group commit of room writes (issue 4). One thread takes everything queued,
// writes it as one batch with one sync, then runs the completions in submission order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "actors/storage/durability.hpp"
#include "actors/storage/room_store.hpp"

namespace rooms {

/// Where batches go: a room_store (of()), or a test's fake that fails on demand. Called on the
/// writer thread only; neither may throw.
struct batch_target {
  std::function<std::optional<rooms_error>(const std::vector<room_write>&, bool sync)> write;
  std::function<std::optional<rooms_error>()> sync_wal;

  /// Writes to and syncs `store`, which must outlive the group_writer.
  static batch_target of(room_store& store);
};

struct group_writer_options {
  /// Async mode: the longest a written change waits for its WAL sync. Shorter loses less on a
  /// power loss; longer saves fsyncs when writes trickle in. Redis's everysec is 1 s.
  std::chrono::milliseconds async_sync_interval{1000};
  /// Async mode: called on the writer thread when a WAL sync fails, so the node can log it (the
  /// changes since the last good sync are not durable yet; the sync is retried next interval).
  std::function<void(const rooms_error&)> on_sync_failure;
};

class group_writer {
 public:
  /// Runs after the batch holding its write was written (and fsynced in sync mode), with
  /// nullopt, or with the batch's error (`unavailable`), or with the write's own error
  /// (`invalid_argument`, see room_store::check). Runs on the writer thread: it must be quick
  /// (send a message, set a promise) and must not throw or call submit() and wait.
  using completion = std::function<void(const std::optional<rooms_error>&)>;

  struct counters {
    std::uint64_t batches = 0;         // written (or failed) batches
    std::uint64_t writes = 0;          // completed submissions
    std::uint64_t synced_batches = 0;  // batches written with fsync (sync mode)
    std::uint64_t failed_batches = 0;
    std::uint64_t wal_syncs = 0;  // async mode's periodic syncs that succeeded
    std::uint64_t failed_wal_syncs = 0;
  };

  /// Starts the writer thread, except in none mode: then nothing is written, every completion
  /// runs at once on the submitting thread, and `target` may be empty.
  group_writer(batch_target target, durability mode, group_writer_options options = {});

  /// stop().
  ~group_writer();
  group_writer(const group_writer&) = delete;
  group_writer& operator=(const group_writer&) = delete;

  /// Queues `w` for the next batch. Thread-safe. After stop(), `done` runs at once with
  /// `unavailable`.
  void submit(room_write w, completion done);

  /// Writes what is queued, runs its completions, syncs (async mode) and joins the thread.
  /// Called by the owner, once or more; not from a completion.
  void stop();

  /// A snapshot of the counters. Thread-safe.
  counters stats() const;

  durability mode() const { return mode_; }

 private:
  using clock = std::chrono::steady_clock;

  void run();
  void wait_for_work(std::unique_lock<std::mutex>& lock);
  void write_batch(std::vector<room_write>& writes, std::vector<completion>& done);
  std::optional<rooms_error> write_to_target(const std::vector<room_write>& writes);
  void sync_if_due(bool force);

  const batch_target target_;
  const durability mode_;
  const group_writer_options options_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::vector<room_write> queued_writes_;  // guarded by mutex_
  std::vector<completion> queued_done_;    // guarded by mutex_, parallel to queued_writes_
  bool stopping_ = false;                  // guarded by mutex_
  std::optional<clock::time_point> unsynced_since_;  // writer thread only

  std::atomic<std::uint64_t> batches_{0}, writes_{0}, synced_batches_{0}, failed_batches_{0},
      wal_syncs_{0}, failed_wal_syncs_{0};
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace rooms
