// echo_server: level-triggered epoll; what cannot be written at once waits in the connection's
// buffer, and the connection is not read again until that buffer is empty (backpressure).
#include "bench/echo_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

namespace rooms::bench {

namespace {

std::atomic<bool> stop_requested{false};
void request_stop(int) { stop_requested = true; }

int listen_on(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int enabled = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &enabled, sizeof enabled);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 1024) != 0) {
    fmt::print(stderr, "echo-server: cannot listen on 127.0.0.1:{}: {}\n", port,
               std::strerror(errno));
    ::close(fd);
    return -1;
  }
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  fmt::print(stderr, "echo-server listening on 127.0.0.1:{}\n", ntohs(address.sin_port));
  return fd;
}

class echo_loop {
  struct connection {
    std::string pending;
    bool waiting_for_output = false;
  };

 public:
  echo_loop(int listener) : listener_(listener), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
  }
  ~echo_loop() {
    for (auto& [fd, c] : connections_) ::close(fd);
    ::close(epoll_);
  }

  void run() {
    std::vector<epoll_event> events(256);
    while (!stop_requested) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 200);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == listener_)
          accept_all();
        else if (events[i].events & EPOLLOUT)
          write_pending(events[i].data.fd);
        else
          echo(events[i].data.fd);
      }
    }
  }

 private:
  void watch(int fd, std::uint32_t events, int operation) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    ::epoll_ctl(epoll_, operation, fd, &event);
  }

  void accept_all() {
    for (int fd;
         (fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
      const int enabled = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof enabled);
      connections_[fd];
      watch(fd, EPOLLIN, EPOLL_CTL_ADD);
    }
  }

  void echo(int fd) {
    const ssize_t n = ::recv(fd, buffer_, sizeof buffer_, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return drop(fd);
    if (n < 0) return;
    connections_[fd].pending.assign(buffer_, static_cast<std::size_t>(n));
    write_pending(fd);
  }

  // Writes the connection's pending bytes; while some remain it waits for EPOLLOUT only.
  void write_pending(int fd) {
    connection& c = connections_[fd];
    while (!c.pending.empty()) {
      const ssize_t n = ::send(fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return wait_for_output(fd, c, true);
      if (n < 0) return drop(fd);
      c.pending.erase(0, static_cast<std::size_t>(n));
    }
    wait_for_output(fd, c, false);
  }

  void wait_for_output(int fd, connection& c, bool output) {
    if (c.waiting_for_output == output) return;
    c.waiting_for_output = output;
    watch(fd, output ? EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD);
  }

  void drop(int fd) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections_.erase(fd);
  }

  int listener_;
  int epoll_;
  std::unordered_map<int, connection> connections_;
  char buffer_[256 * 1024];
};

}  // namespace

int run_echo_server(std::uint16_t port) {
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  const int listener = listen_on(port);
  if (listener < 0) return 1;
  {
    auto loop = std::make_unique<echo_loop>(listener);
    loop->run();
  }
  ::close(listener);
  return 0;
}

}  // namespace rooms::bench
