// The epoll loop: ready descriptors, functions posted from other threads, timers, deferred work.
#include "actors/gateway/io_reactor.hpp"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

namespace rooms {

namespace {

thread_local io_reactor* this_thread_reactor = nullptr;

// Ready descriptors taken per epoll_wait.
constexpr int max_events = 128;

// epoll_wait with a timeout finer than milliseconds (epoll_pwait2, Linux 5.11), or rounded up
// to milliseconds where the kernel lacks it: waking before a deadline would only wait again.
int epoll_wait_for(int epoll_fd, epoll_event* events, const timespec* timeout) {
  static std::atomic<bool> fine{true};
  if (fine.load(std::memory_order_relaxed)) {
    const int n = ::epoll_pwait2(epoll_fd, events, max_events, timeout, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    fine.store(false, std::memory_order_relaxed);
  }
  int ms = -1;
  if (timeout != nullptr)
    ms = static_cast<int>(timeout->tv_sec * 1000 + (timeout->tv_nsec + 999'999) / 1'000'000);
  return ::epoll_wait(epoll_fd, events, max_events, ms);
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

io_reactor::io_reactor() : read_buffer_(new char[read_buffer_size]) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(epoll_fd_);
    throw_errno("eventfd");
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;  // the wake descriptor: no handler
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) {
    ::close(wake_fd_);
    ::close(epoll_fd_);
    throw_errno("epoll_ctl");
  }
}

io_reactor::~io_reactor() {
  if (this_thread_reactor == this) this_thread_reactor = nullptr;
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

io_reactor* io_reactor::current() { return this_thread_reactor; }

void io_reactor::bind_to_this_thread() { this_thread_reactor = this; }

bool io_reactor::watch(int fd, io_handler* handler, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

bool io_reactor::modify(int fd, io_handler* handler, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0;
}

void io_reactor::unwatch(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void io_reactor::post(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> guard{posted_lock_};
    posted_.push_back(std::move(f));
    has_posted_.store(true, std::memory_order_seq_cst);
  }
  wake();
}

bool io_reactor::wake() {
  // Either the sleeper sees our work when it checks after setting the flag, or we see the flag
  // (both sequentially consistent); only one waker pays the write.
  if (!sleeping_.load(std::memory_order_seq_cst) || !sleeping_.exchange(false)) return false;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
  return true;
}

void io_reactor::run_at(clock::time_point deadline, std::function<void()> f) {
  timers_.push_back({deadline, std::move(f)});
  std::push_heap(timers_.begin(), timers_.end(), later{});
}

void io_reactor::defer(std::shared_ptr<io_deferred> job) { deferred_.push_back(std::move(job)); }

void io_reactor::defer_paced(std::shared_ptr<io_deferred> job, lane of) {
  lanes_[index(of)].jobs.push_back(std::move(job));
}

const timespec* io_reactor::wait_timeout(bool block, timespec& storage) const {
  storage = timespec{};
  if (!block || !deferred_.empty()) return &storage;
  std::optional<clock::time_point> until;
  if (!timers_.empty()) until = timers_.front().deadline;
  for (const paced_lane& paced : lanes_)
    if (!paced.jobs.empty() && (!until || paced.next < *until)) until = paced.next;
  if (!until) return nullptr;
  const auto left = *until - clock::now();
  if (left <= clock::duration::zero()) return &storage;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::min<clock::duration>(left, std::chrono::seconds{60}))
                      .count();
  storage.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  storage.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return &storage;
}

bool io_reactor::poll(bool block) {
  std::array<epoll_event, max_events> events;
  timespec storage;
  int n = epoll_wait_for(epoll_fd_, events.data(), wait_timeout(block, storage));
  if (n < 0) n = 0;  // EINTR: a signal; the caller polls again
  for (int i = 0; i < n; ++i) {
    auto* handler = static_cast<io_handler*>(events[static_cast<std::size_t>(i)].data.ptr);
    if (handler == nullptr)
      drain_wake_fd();
    else
      handler->on_ready(events[static_cast<std::size_t>(i)].events);
  }
  bool handled = n > 0;
  handled |= run_posted();
  handled |= run_timers();
  handled |= run_deferred();
  handled |= run_paced();
  return handled;
}

void io_reactor::drain_wake_fd() {
  std::uint64_t count = 0;
  [[maybe_unused]] auto got = ::read(wake_fd_, &count, sizeof count);
}

bool io_reactor::run_posted() {
  if (!has_posted_.load(std::memory_order_acquire)) return false;
  {
    std::lock_guard<std::mutex> guard{posted_lock_};
    running_.swap(posted_);
    has_posted_.store(false, std::memory_order_relaxed);
  }
  for (auto& f : running_) f();
  running_.clear();
  return true;
}

bool io_reactor::run_timers() {
  if (timers_.empty() || timers_.front().deadline > clock::now()) return false;
  const auto now = clock::now();
  while (!timers_.empty() && timers_.front().deadline <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), later{});
    auto f = std::move(timers_.back().f);
    timers_.pop_back();
    f();  // may add timers
  }
  return true;
}

bool io_reactor::run_deferred() { return run_all(deferred_); }

bool io_reactor::run_paced() {
  bool ran = false;
  std::optional<clock::time_point> now;
  for (paced_lane& paced : lanes_) {
    if (paced.jobs.empty()) continue;
    if (!now) now = clock::now();
    if (*now < paced.next) continue;
    paced.next = *now + paced.interval;
    ran |= run_all(paced.jobs);
  }
  return ran;
}

bool io_reactor::run_all(std::vector<std::shared_ptr<io_deferred>>& list) {
  if (list.empty()) return false;
  std::vector<std::shared_ptr<io_deferred>> jobs;
  jobs.swap(list);
  for (auto& job : jobs) job->run_deferred();  // may defer more, into `list`
  // Keep the capacity: the next round defers about as much.
  jobs.clear();
  if (list.empty()) list.swap(jobs);
  return true;
}

// -- io_reactor_set --------------------------------------------------------------------------

io_reactor_set::io_reactor_set(std::size_t count) {
  for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i)
    reactors_.push_back(std::make_unique<io_reactor>());
}

io_reactor_set::~io_reactor_set() { stop_threads(); }

io_reactor& io_reactor_set::next() {
  return *reactors_[next_.fetch_add(1, std::memory_order_relaxed) % reactors_.size()];
}

void io_reactor_set::start_threads() {
  for (auto& reactor : reactors_) {
    threads_.emplace_back([this, r = reactor.get()] {
      ::pthread_setname_np(::pthread_self(), "rooms.io");
      r->bind_to_this_thread();
      while (!stopping_.load(std::memory_order_acquire)) {
        r->set_sleeping(true);
        r->poll(!r->has_posted());
        r->set_sleeping(false);
      }
    });
  }
}

void io_reactor_set::stop_threads() {
  if (threads_.empty()) return;
  stopping_.store(true, std::memory_order_release);
  for (auto& reactor : reactors_) reactor->post([] {});
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace rooms
