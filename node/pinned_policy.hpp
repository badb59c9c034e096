// A CAF 0.17 scheduler policy that pins every actor to one worker (node/README.md, "Threads";
// docs/benchmarks.md, step 4): the worker is the actor's id modulo the number of workers, there is
// no stealing, and each worker runs its actors in FIFO order. A worker waking an actor that it owns
// itself pushes it on its own queue, which no other thread touches: no lock, no wakeup. Work for
// another worker goes to that worker's inbox under its mutex, and wakes it only if it sleeps.
// The coordinator's max-throughput bounds how many messages an actor handles per turn, so one
// busy room cannot starve the others on its worker.
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
#include <caf/scheduled_actor.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace rooms {

class pinned_policy : public caf::policy::unprofiled {
 public:
  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}
  };

  // Each worker copies this from one initial value (caf::scheduler::worker's constructor), so
  // a copy starts empty: queues, mutex and condition variable are never shared.
  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
    worker_data(const worker_data&) {}
    worker_data& operator=(const worker_data&) = delete;

    /// Jobs of this worker; only its own thread reads or writes it.
    std::deque<caf::resumable*> local;
    /// Jobs other threads handed to this worker, guarded by `lock`.
    std::deque<caf::resumable*> inbox;
    /// True while inbox may hold jobs: read without the lock as a hint.
    std::atomic<bool> has_inbox{false};
    /// True while the worker waits on `wake`, guarded by `lock`.
    bool sleeping = false;
    std::mutex lock;
    std::condition_variable wake;
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    hand_over(home_of(self, job), job);
  }

  // Called by the coordinator to run `job` on exactly this worker (its shutdown helper).
  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    hand_over(self, job);
  }

  // Called on a worker's thread when an actor running there wakes `job`.
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    auto* home = home_of(self->parent(), job);
    if (home == self)
      d(self).local.push_back(job);
    else
      hand_over(home, job);
  }

  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    d(self).local.push_back(job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& data = d(self);
    if (data.has_inbox.load(std::memory_order_acquire)) take_inbox(data);
    if (!data.local.empty()) return pop(data.local);
    std::unique_lock<std::mutex> guard{data.lock};
    while (data.inbox.empty()) {
      data.sleeping = true;
      data.wake.wait(guard);
      data.sleeping = false;
    }
    move_inbox(data);
    return pop(data.local);
  }

  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker* self, UnaryFunction f) {
    auto& data = d(self);
    take_inbox(data);
    while (!data.local.empty()) f(pop(data.local));
  }

  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator*, UnaryFunction) {}

 private:
  // The worker that owns `job`: an actor's by its id; anything else (a function object) runs
  // on the first worker.
  template <class Coordinator>
  static auto* home_of(Coordinator* coordinator, caf::resumable* job) {
    std::size_t index = 0;
    if (job->subtype() == caf::resumable::scheduled_actor) {
      auto* actor = static_cast<caf::scheduled_actor*>(job);
      index = static_cast<std::size_t>(actor->id() % coordinator->num_workers());
    }
    return coordinator->worker_by_id(index);
  }

  template <class Worker>
  static void hand_over(Worker* target, caf::resumable* job) {
    auto& data = d(target);
    bool wake = false;
    {
      std::lock_guard<std::mutex> guard{data.lock};
      data.inbox.push_back(job);
      data.has_inbox.store(true, std::memory_order_release);
      wake = data.sleeping;
    }
    if (wake) data.wake.notify_one();
  }

  // Appends the inbox to the local queue, behind what is there: FIFO across both.
  static void take_inbox(worker_data& data) {
    std::lock_guard<std::mutex> guard{data.lock};
    move_inbox(data);
  }

  static void move_inbox(worker_data& data) {
    for (auto* job : data.inbox) data.local.push_back(job);
    data.inbox.clear();
    data.has_inbox.store(false, std::memory_order_relaxed);
  }

  static caf::resumable* pop(std::deque<caf::resumable*>& queue) {
    auto* job = queue.front();
    queue.pop_front();
    return job;
  }

  template <class Worker>
  static worker_data& d(Worker* self) {
    return self->data();
  }
};

}  // namespace rooms
