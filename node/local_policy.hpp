// A CAF 0.17 scheduler policy that keeps a chain of messages on one thread (node/README.md,
// "Threads"): an actor woken by an actor running on a worker joins that worker's own queue, so a
// gateway's call, the room that handles it and the reply back to the gateway run one after the
// other on one thread, with no wakeup of another. Each queue is FIFO. A worker with nothing to
// do takes the oldest job of another worker's queue; a worker wakes a sleeping one only when its
// own queue holds more than the job it is about to run, so work spreads only when there is
// work to spare. Jobs from outside the workers (the I/O threads, timers) go to the workers in
// turn. The coordinator's max-throughput bounds an actor's turn.
//
// Included by node.cpp only (it needs the CAF scheduler headers).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace rooms {

class local_policy : public caf::policy::unprofiled {
 public:
  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}
    /// Where the next job from outside the workers goes.
    std::atomic<std::size_t> next{0};
    /// Workers waiting for work.
    std::atomic<std::size_t> sleepers{0};
  };

  // Each worker copies this from one initial value (caf::scheduler::worker's constructor), so
  // a copy starts empty: queue, mutex and condition variable are never shared.
  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
    worker_data(const worker_data&) {}
    worker_data& operator=(const worker_data&) = delete;

    std::mutex lock;
    std::condition_variable wake;
    /// Guarded by lock.
    std::deque<caf::resumable*> queue;
    bool sleeping = false;
    /// queue.size(), readable without the lock (a hint for thieves).
    std::atomic<std::size_t> size{0};
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    auto& shared = self->data();
    const std::size_t n = self->num_workers();
    auto* target = self->worker_by_id(shared.next.fetch_add(1, std::memory_order_relaxed) % n);
    push(target, job, true);
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    push(self, job, true);
  }

  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    const std::size_t queued = push(self, job, false);
    // More than one job waits here: let a sleeping worker take some.
    if (queued > 1 && self->parent()->data().sleepers.load(std::memory_order_acquire) > 0)
      wake_one(self->parent(), self);
  }

  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    push(self, job, false);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto* coordinator = self->parent();
    auto& data = d(self);
    for (;;) {
      if (auto* job = pop_front(data)) return job;
      if (auto* job = steal(coordinator, self)) return job;
      std::unique_lock<std::mutex> guard{data.lock};
      if (!data.queue.empty()) continue;
      data.sleeping = true;
      coordinator->data().sleepers.fetch_add(1, std::memory_order_acq_rel);
      // Woken by a push to this queue, or by a worker with jobs to spare (then steal).
      data.wake.wait(guard);
      coordinator->data().sleepers.fetch_sub(1, std::memory_order_acq_rel);
      data.sleeping = false;
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
  template <class Worker>
  static worker_data& d(Worker* self) {
    return self->data();
  }

  // Appends `job`; wakes the worker if it sleeps and `wake` is set. Returns the queue's length.
  template <class Worker>
  static std::size_t push(Worker* target, caf::resumable* job, bool wake) {
    auto& data = d(target);
    bool notify = false;
    std::size_t size = 0;
    {
      std::lock_guard<std::mutex> guard{data.lock};
      data.queue.push_back(job);
      size = data.queue.size();
      data.size.store(size, std::memory_order_release);
      notify = wake && data.sleeping;
    }
    if (notify) data.wake.notify_one();
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

  template <class Coordinator, class Worker>
  static void wake_one(Coordinator* coordinator, Worker* self) {
    const std::size_t n = coordinator->num_workers();
    for (std::size_t i = 1; i < n; ++i) {
      auto& data = d(coordinator->worker_by_id((self->id() + i) % n));
      bool notify = false;
      {
        std::lock_guard<std::mutex> guard{data.lock};
        notify = data.sleeping;
      }
      if (notify) {
        data.wake.notify_one();
        return;
      }
    }
  }
};

}  // namespace rooms
