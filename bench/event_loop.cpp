// event_loop: epoll, receive into one shared buffer, send of each connection's queued bytes.
#include "bench/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

namespace rooms::bench {

namespace {
constexpr std::size_t receive_chunk_bytes = 256 * 1024;
}

bench_clock::time_point after(bench_clock::time_point start, double seconds) {
  return start +
         std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(seconds));
}

event_loop::event_loop(loop_handler& handler)
    : handler_(handler), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), buffer_(receive_chunk_bytes) {}

event_loop::~event_loop() {
  connections_.clear();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

std::size_t event_loop::add(client_stream stream) {
  const std::size_t index = connections_.size();
  const int fd = stream.fd();
  connections_.emplace_back();
  connections_.back().stream.emplace(std::move(stream));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = index;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  ++open_count_;
  return index;
}

void event_loop::run_until(bench_clock::time_point end) {
  std::vector<epoll_event> events(512);
  for (auto now = bench_clock::now(); now < end && open_count_ > 0; now = bench_clock::now()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(end - now).count();
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(std::clamp<std::int64_t>(left, 1, 100)));
    for (int i = 0; i < n; ++i) {
      const std::size_t index = events[i].data.u64;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(index);
      if (connections_[index].open() && (events[i].events & EPOLLOUT)) flush(index);
    }
  }
}

void event_loop::receive(std::size_t index) {
  for (;;) {
    client_stream& stream = *connections_[index].stream;
    std::size_t n = 0;
    switch (stream.receive(buffer_.data(), buffer_.size(), n)) {
      case client_stream::io::done:
        break;
      case client_stream::io::wait_read:
      case client_stream::io::wait_write:
        return flush(index);
      case client_stream::io::closed:
        return close(index, "connection_closed");
      case client_stream::io::failed:
        return close(index, "connection_error");
    }
    handler_.on_bytes(index, buffer_.data(), n, bench_clock::now());
    if (!connections_[index].open()) return;
    // A short read means the socket is dry: skip the recv that would only say EAGAIN. TLS
    // returns a record at a time: it is dry when it holds nothing and its last recv was short.
    if (stream.uses_tls() ? stream.drained() : n < buffer_.size()) break;
  }
  // Requests queued by the answers just read go out in one write.
  flush(index);
}

void event_loop::flush(std::size_t index) {
  connection& c = connections_[index];
  while (c.open() && c.out_offset < c.out.size()) {
    std::size_t n = 0;
    switch (c.stream->send(c.out.data() + c.out_offset, c.out.size() - c.out_offset, n)) {
      case client_stream::io::done:
        c.out_offset += n;
        break;
      case client_stream::io::wait_read:
      case client_stream::io::wait_write:
        return arm_write(index, true);
      case client_stream::io::closed:
      case client_stream::io::failed:
        return close(index, "connection_error");
    }
  }
  if (!c.open()) return;
  c.out.clear();
  c.out_offset = 0;
  arm_write(index, false);
}

void event_loop::arm_write(std::size_t index, bool armed) {
  connection& c = connections_[index];
  if (c.write_armed == armed) return;
  c.write_armed = armed;
  epoll_event event{};
  event.events = EPOLLIN | (armed ? EPOLLOUT : 0u);
  event.data.u64 = index;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.stream->fd(), &event);
}

void event_loop::close(std::size_t index, const char* reason) {
  connection& c = connections_[index];
  if (!c.open()) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.stream->fd(), nullptr);
  c.stream->close();
  --open_count_;
  handler_.on_closed(index, reason);
}

void event_loop::close_all(const char* reason) {
  for (std::size_t i = 0; i < connections_.size(); ++i) close(i, reason);
}

}  // namespace rooms::bench
