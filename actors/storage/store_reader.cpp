// store_reader: one thread, reads in the order they were asked (store_reader.hpp).
#include "actors/storage/store_reader.hpp"

#include <pthread.h>

#include <utility>

namespace rooms {

namespace {

rooms_error stopped() {
  return rooms_error{error_code::unavailable, "the storage reader has stopped"};
}

}  // namespace

store_reader::store_reader(std::shared_ptr<const room_store> store) : store_(std::move(store)) {
  thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "rooms.reader");
    run();
  });
}

store_reader::~store_reader() { stop(); }

void store_reader::load(std::string room, loaded done) {
  submit(job{std::move(room), std::move(done), {}});
}

void store_reader::exists(std::string room, checked done) {
  submit(job{std::move(room), {}, std::move(done)});
}

void store_reader::read_index(index_read read) { submit(job{{}, {}, {}, std::move(read)}); }

void store_reader::submit(job j) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (!stopping_) {
      queued_.push_back(std::move(j));
      wakeup_.notify_one();
      return;
    }
  }
  if (j.on_load)
    j.on_load(stopped());
  else if (j.on_check)
    j.on_check(stopped());
  else
    j.on_index(*store_->read_index());
}

void store_reader::stop() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    stopping_ = true;
    wakeup_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::uint64_t store_reader::reads() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return reads_;
}

void store_reader::run() {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    wakeup_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and everything asked was answered
    job next = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    serve(next);
    lock.lock();
  }
}

void store_reader::serve(job& j) {
  // Counted before the completion runs: whoever it wakes sees the read counted.
  if (j.on_load) {
    auto read = store_->load(j.room);
    count_read();
    j.on_load(std::move(read));
  } else if (j.on_index) {
    count_read();
    j.on_index(*store_->read_index());
  } else {
    auto found = store_->exists(j.room);
    count_read();
    j.on_check(std::move(found));
  }
}

void store_reader::count_read() {
  std::lock_guard<std::mutex> lock{mutex_};
  ++reads_;
}

}  // namespace rooms
