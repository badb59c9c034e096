// store_reader: the node's reads of stored rooms, on a thread of their own (issue 13, step 9).
// A worker that hosts sockets (--scheduler local) must never wait for the disk: the directory
// asks the reader, keeps the calls for that room meanwhile, and carries on with other rooms;
// the answer comes back as a completion on the reader's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "actors/storage/room_store.hpp"

namespace rooms {

class store_reader {
 public:
  using loaded = std::function<void(result<std::optional<stored_room>>)>;
  using checked = std::function<void(result<bool>)>;
  /// Reads the room index through the view it is given (one snapshot), on the reader's thread.
  using index_read = std::function<void(index_view&)>;

  /// Starts the reader thread, which reads `store` (shared: the thread may outlive no one).
  explicit store_reader(std::shared_ptr<const room_store> store);
  /// stop().
  ~store_reader();
  store_reader(const store_reader&) = delete;
  store_reader& operator=(const store_reader&) = delete;

  /// Reads the room (room_store::load) and runs `done` with the result on the reader's thread;
  /// `done` must be quick (send a message) and must not throw. Thread-safe. After stop(), runs
  /// `done` at once with `unavailable`.
  void load(std::string room, loaded done);
  /// The same for room_store::exists.
  void exists(std::string room, checked done);
  /// Runs `read` on a view of the room index (room_store::read_index). After stop(), runs it at
  /// once on the caller's thread.
  void read_index(index_read read);

  /// Reads what is queued, runs its completions, and joins the thread. Once or more.
  void stop();

  /// Reads done so far. Thread-safe.
  std::uint64_t reads() const;

 private:
  struct job {
    std::string room;
    loaded on_load;  // one of the three is set
    checked on_check;
    index_read on_index = {};
  };

  void run();
  /// Queues `j`, or answers it at once with `unavailable` once stopped.
  void submit(job j);
  void serve(job& j);
  void count_read();

  const std::shared_ptr<const room_store> store_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<job> queued_;   // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_
  std::uint64_t reads_ = 0;  // guarded by mutex_
  std::thread thread_;       // last: starts after everything it uses
};

}  // namespace rooms
