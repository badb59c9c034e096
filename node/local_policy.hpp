// A CAF 0.17 scheduler policy that keeps a chain of messages on one thread and gives each worker
// a share of the sockets (node/README.md, "Threads"). Every worker hosts one io_reactor: it
// polls it between jobs and sleeps in its epoll_wait when it has nothing to do, so a socket's
// bytes go to its gateway on the worker that read them. An actor woken by an actor running on
// a worker (or by that worker's reactor) joins that worker's own queue, so the read, the
// gateway's call, the room that handles it, the reply and its send run one after the other on
// one thread, with no wakeup of another. Each queue is FIFO. A worker with nothing to do takes
// the oldest job of another worker's queue; a worker wakes a sleeping one only when its own
// queue holds more than the job it is about to run, so work spreads only when there is work to
// spare. Jobs from outside the workers (timers, the cluster's middleman) go to the workers in
// turn. The coordinator's max-throughput bounds an actor's turn.
//
// Included by node.cpp only (it needs the CAF scheduler headers).
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <limits>
#include <mutex>

#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/gateway/io_reactor.hpp"
#include "node/node_config.hpp"

namespace rooms {

class local_policy : public caf::policy::unprofiled {
 public:
  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator* coordinator)
        : reactors(hosted_reactors(coordinator->system().config())) {}
    /// One reactor per worker, indexed like the workers.
    io_reactor_set& reactors;
    /// Where the next job from outside the workers goes.
    std::atomic<std::size_t> next{0};
    /// Workers waiting for work.
    std::atomic<std::size_t> sleepers{0};
  };

  // Each worker copies this from one initial value (caf::scheduler::worker's constructor), so
  // a copy starts empty: queue and mutex are never shared.
  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
    worker_data(const worker_data&) {}
    worker_data& operator=(const worker_data&) = delete;

    std::mutex lock;
    /// Guarded by lock.
    std::deque<caf::resumable*> queue;
    /// queue.size(), readable without the lock (a hint for thieves).
    std::atomic<std::size_t> size{0};
    /// Jobs taken since the reactor was last polled (the worker's thread only).
    unsigned ticks = 0;
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    // A worker's reactor (a socket's bytes for its gateway) keeps the job on its worker.
    if (this_thread_worker != none) {
      push(self->worker_by_id(this_thread_worker), job);
      return;
    }
    auto& shared = self->data();
    const std::size_t n = self->num_workers();
    auto* target = self->worker_by_id(shared.next.fetch_add(1, std::memory_order_relaxed) % n);
    push(target, job);
    reactor(target).wake();
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    push(self, job);
    reactor(self).wake();
  }

  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    const std::size_t queued = push(self, job);
    // More than one job waits here: let a sleeping worker take some.
    if (queued > 1 && self->parent()->data().sleepers.load(std::memory_order_acquire) > 0)
      wake_one(self->parent(), self);
  }

  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    push(self, job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto* coordinator = self->parent();
    auto& data = d(self);
    io_reactor& io = reactor(self);
    if (this_thread_worker == none) {
      this_thread_worker = self->id();
      io.bind_to_this_thread();
    }
    for (;;) {
      // Sockets are served between jobs too, and the sends deferred meanwhile leave.
      if ((++data.ticks % reactor_every_jobs) == 0) io.poll(false);
      if (auto* job = pop_front(data)) return job;
      if (auto* job = steal(coordinator, self)) return job;
      if (io.poll(false)) continue;
      io.set_sleeping(true);
      coordinator->data().sleepers.fetch_add(1, std::memory_order_acq_rel);
      // Checked under the lock after the flag: a push either comes before (and is seen here)
      // or sees the flag and wakes the reactor (io_reactor::wake).
      if (!has_jobs(data) && !io.has_posted()) io.poll(true);
      coordinator->data().sleepers.fetch_sub(1, std::memory_order_acq_rel);
      io.set_sleeping(false);
    }
  }

  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker* self, UnaryFunction f) {
    auto& data = d(self);
    while (auto* job = pop_front(data)) f(job);
  }

  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator*, UnaryFunction) {}

 private:
  static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  // Jobs a busy worker runs between two looks at its sockets.
  static constexpr unsigned reactor_every_jobs = 16;

  /// The worker the calling thread is, if it is one.
  static inline thread_local std::size_t this_thread_worker = none;

  template <class Worker>
  static worker_data& d(Worker* self) {
    return self->data();
  }

  template <class Worker>
  static io_reactor& reactor(Worker* self) {
    return self->parent()->data().reactors.at(self->id());
  }

  static bool has_jobs(worker_data& data) {
    std::lock_guard<std::mutex> guard{data.lock};
    return !data.queue.empty();
  }

  // Appends `job`; returns the queue's length.
  template <class Worker>
  static std::size_t push(Worker* target, caf::resumable* job) {
    auto& data = d(target);
    std::lock_guard<std::mutex> guard{data.lock};
    data.queue.push_back(job);
    const std::size_t size = data.queue.size();
    data.size.store(size, std::memory_order_release);
    return size;
  }

  static caf::resumable* pop_front(worker_data& data) {
    if (data.size.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard<std::mutex> guard{data.lock};
    if (data.queue.empty()) return nullptr;
    auto* job = data.queue.front();
    data.queue.pop_front();
    data.size.store(data.queue.size(), std::memory_order_release);
    return job;
  }

  template <class Coordinator, class Worker>
  static caf::resumable* steal(Coordinator* coordinator, Worker* self) {
    const std::size_t n = coordinator->num_workers();
    for (std::size_t i = 1; i < n; ++i) {
      auto* victim = coordinator->worker_by_id((self->id() + i) % n);
      if (auto* job = pop_front(d(victim))) return job;
    }
    return nullptr;
  }

  // Wakes the first other worker that sleeps.
  template <class Coordinator, class Worker>
  static void wake_one(Coordinator* coordinator, Worker* self) {
    const std::size_t n = coordinator->num_workers();
    for (std::size_t i = 1; i < n; ++i) {
      if (reactor(coordinator->worker_by_id((self->id() + i) % n)).wake()) return;
    }
  }
};

}  // namespace rooms
