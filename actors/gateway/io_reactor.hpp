// io_reactor: one epoll event loop that owns a share of the node's sockets (node/README.md,
// "Threads"). It runs either on a thread of its own (`--io-threads`) or inside a CAF worker,
// whose scheduler policy polls it between jobs and sleeps in it when idle (`--scheduler local`):
// then a socket's bytes, the gateway that decodes them, the room that answers and the send of
// the answer all run on one thread, with no wakeup of another.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rooms {

/// A descriptor watched by a reactor.
class io_handler {
 public:
  virtual ~io_handler() = default;
  /// The descriptor is ready: `events` are epoll's bits. On the reactor's thread only.
  virtual void on_ready(std::uint32_t events) = 0;
};

/// Work a reactor runs once the current round of its thread ends (batched sends).
class io_deferred {
 public:
  virtual ~io_deferred() = default;
  /// On the thread of the reactor that deferred it.
  virtual void run_deferred() = 0;
};

class io_reactor {
 public:
  using clock = std::chrono::steady_clock;

  /// Opens the epoll and event descriptors; throws std::system_error when it cannot.
  io_reactor();
  ~io_reactor();
  io_reactor(const io_reactor&) = delete;
  io_reactor& operator=(const io_reactor&) = delete;

  /// The reactor whose thread is the calling one, or null.
  static io_reactor* current();
  /// Makes the calling thread this reactor's thread (the only one that polls it).
  void bind_to_this_thread();

  /// Watches `fd` for `events` (epoll bits, edge-triggered if asked); `handler` must stay alive
  /// until unwatch(). Any thread.
  bool watch(int fd, io_handler* handler, std::uint32_t events);
  /// Changes what `fd` is watched for. Any thread.
  bool modify(int fd, io_handler* handler, std::uint32_t events);
  /// Stops watching `fd` (before it is closed). Any thread.
  void unwatch(int fd);

  /// Runs `f` on this reactor's thread, soon. Any thread.
  void post(std::function<void()> f);
  /// Runs `f` on this reactor's thread once `deadline` passed. This reactor's thread only.
  void run_at(clock::time_point deadline, std::function<void()> f);
  /// Runs `job` when this round ends, once however often it is deferred meanwhile (the caller
  /// keeps a flag). This reactor's thread only.
  void defer(std::shared_ptr<io_deferred> job);
  /// What a paced job sends; each lane has its own interval.
  enum class lane : std::uint8_t {
    events,   // sends nobody waits on
    answers,  // answers of a connection that still waits on more of its calls
  };
  /// Runs `job` as defer() does, but paced: the jobs of a lane run together, at most once per
  /// its pace_interval() (the first after a quiet spell at once). Under load each socket then
  /// gets one larger send per interval instead of many small ones, as Redis writes each client
  /// once per event-loop turn. For events, which nobody waits on, and for the answers of a
  /// connection with more calls in flight, which its backend reads together with those.
  /// This reactor's thread only.
  void defer_paced(std::shared_ptr<io_deferred> job, lane of = lane::events);
  /// How long a lane's jobs wait at most; zero runs them as defer() does. Set before polling.
  void set_pace_interval(lane of, clock::duration interval) {
    lanes_[index(of)].interval = interval;
  }
  clock::duration pace_interval(lane of) const { return lanes_[index(of)].interval; }

  /// One round: waits for ready descriptors (not at all unless `block`; if it blocks, at most
  /// until the next timer), handles them, then posted functions, due timers and deferred work.
  /// Returns true if it handled anything. This reactor's thread only.
  bool poll(bool block);

  /// The sleep handshake of a hosting thread: set `sleeping` (then check for work once more),
  /// poll(true), clear it. wake() interrupts a blocked poll (true if it did), and costs an
  /// atomic load when the thread does not sleep.
  void set_sleeping(bool sleeping) { sleeping_.store(sleeping, std::memory_order_seq_cst); }
  bool has_posted() const { return has_posted_.load(std::memory_order_seq_cst); }
  bool wake();

  /// A read buffer for this reactor's thread: what it reads is copied out before the next read.
  char* read_buffer() { return read_buffer_.get(); }
  static constexpr std::size_t read_buffer_size = 64 * 1024;

 private:
  struct timer {
    clock::time_point deadline;
    std::function<void()> f;
  };
  struct later {
    bool operator()(const timer& a, const timer& b) const { return a.deadline > b.deadline; }
  };

  struct paced_lane {
    std::vector<std::shared_ptr<io_deferred>> jobs;
    clock::duration interval{0};
    clock::time_point next{};  // the jobs wait until then
  };
  static constexpr std::size_t index(lane of) { return static_cast<std::size_t>(of); }

  /// How long a poll may wait: null for no limit.
  const timespec* wait_timeout(bool block, timespec& storage) const;
  void drain_wake_fd();
  bool run_posted();
  bool run_timers();
  bool run_deferred();
  bool run_paced();
  /// Runs the jobs of `list` (deferred_ or a lane's) taken at once; true if there were any.
  bool run_all(std::vector<std::shared_ptr<io_deferred>>& list);

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::unique_ptr<char[]> read_buffer_;

  // This reactor's thread only.
  std::vector<timer> timers_;  // a heap, earliest first
  std::vector<std::shared_ptr<io_deferred>> deferred_;
  std::array<paced_lane, 2> lanes_;
  std::vector<std::function<void()>> running_;

  std::mutex posted_lock_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_lock_
  std::atomic<bool> has_posted_{false};
  std::atomic<bool> sleeping_{false};
};

/// The node's reactors: a new connection goes to the next one in turn.
class io_reactor_set {
 public:
  explicit io_reactor_set(std::size_t count);
  /// Stops and joins the reactors' own threads, if they run any.
  ~io_reactor_set();

  std::size_t size() const { return reactors_.size(); }
  io_reactor& at(std::size_t i) { return *reactors_[i]; }
  io_reactor& next();

  /// Gives every reactor a thread of its own that polls it (named `rooms.io`).
  void start_threads();
  /// Stops and joins those threads. Call once, after the sockets are closed.
  void stop_threads();

 private:
  std::vector<std::unique_ptr<io_reactor>> reactors_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
};

}  // namespace rooms
