// The client port: accepting, the connection limit, and draining at stop.
#include "actors/gateway/tcp_listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <utility>

#include <fmt/format.h>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_actor.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

// After a failed accept (e.g. out of file descriptors) the next one waits this long, instead
// of spinning on the same error.
constexpr std::chrono::milliseconds accept_retry_delay{100};

// Connections accepted per readiness report: the rest report themselves again (level-triggered),
// after the reactor's other work.
constexpr int accepts_per_round = 64;

// How long stop() waits for the reactors to close the last connections.
constexpr std::chrono::milliseconds close_wait{2000};

rooms_error listen_error(std::string message) {
  return {error_code::unavailable, std::move(message)};
}

std::string describe_peer(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(v6.sin6_port));
  }
  return "a connection";
}

// A listening socket on the first address `host` resolves to, or why there is none.
result<int> open_listening_socket(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int resolved = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (resolved != 0 || found == nullptr)
    return listen_error(fmt::format("cannot resolve '{}': {}", host, ::gai_strerror(resolved)));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned{found, &::freeaddrinfo};
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          found->ai_protocol);
  int one = 1;
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return listen_error(
        fmt::format("cannot listen on {}:{}: {}", host, port, std::strerror(error)));
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

}  // namespace

tcp_listener::tcp_listener(caf::actor_system& system, io_reactor_set& reactors,
                           listener_config config)
    : system_(system), reactors_(reactors), config_(std::move(config)) {
  overloaded_frame_ = encode_error_notification(
      {error_code::overloaded,
       fmt::format("the node serves at most {} connections", config_.max_connections)});
}

tcp_listener::~tcp_listener() {
  stop(std::chrono::milliseconds{0});
  if (listen_fd_ >= 0) ::close(listen_fd_);  // bound, never run
}

result<std::uint16_t> tcp_listener::bind() {
  auto fd = open_listening_socket(config_.host, config_.port);
  if (!fd) return fd.error();
  listen_fd_ = *fd;
  return bound_port(listen_fd_);
}

void tcp_listener::run(std::shared_ptr<const gateway_config> gateway) {
  gateway_ = std::move(gateway);
  running_ = true;
  // Level-triggered: connections left waiting after one round report themselves again.
  reactors_.at(0).watch(listen_fd_, this, EPOLLIN);
}

void tcp_listener::on_ready(std::uint32_t) {
  for (int i = 0; i < accepts_per_round && listen_fd_ >= 0; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      adopt(fd, describe_peer(address));
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
    return accept_failed(errno);
  }
}

// Out of descriptors or memory: the waiting connection stays queued; accepting pauses briefly
// instead of spinning on the same error.
void tcp_listener::accept_failed(int error) {
  if (config_.warn)
    config_.warn(fmt::format("accepting a connection failed: {}", std::strerror(error)));
  auto& reactor = reactors_.at(0);
  reactor.modify(listen_fd_, this, 0);
  reactor.run_at(io_reactor::clock::now() + accept_retry_delay, [this] {
    if (listen_fd_ >= 0) reactors_.at(0).modify(listen_fd_, this, EPOLLIN);
  });
}

void tcp_listener::adopt(int fd, std::string peer) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  tcp_connection::observer watcher{[this](tcp_connection& c) { settled(c); },
                                   [this](tcp_connection& c) { forget(c); }, config_.warn};
  auto connection = std::make_shared<tcp_connection>(fd, peer, reactors_.next(), config_.flow,
                                                     std::move(watcher), config_.tls);
  node_counters& counters = *gateway_->counters;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (connections_.size() >= config_.max_connections) {
      lock.unlock();
      counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
      if (config_.warn)
        config_.warn(fmt::format("refused {}: {} connections open", peer, config_.max_connections));
      return connection->refuse(overloaded_frame_);
    }
    connections_.emplace(connection.get(), connection);
    if (config_.debug)
      config_.debug(fmt::format("accepted {} ({} open)", peer, connections_.size()));
  }
  counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  counters.connections.fetch_add(1, std::memory_order_relaxed);
  connection->start(spawn_gateway(system_, connection, gateway_));
}

void tcp_listener::settled(tcp_connection& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.count(&connection) == 0) return;  // a refused connection
  ++settled_count_;
  settled_changed_.notify_all();
}

void tcp_listener::forget(tcp_connection& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.erase(&connection) == 0) return;
  if (connection.settled()) --settled_count_;
  if (config_.debug)
    config_.debug(fmt::format("closed a connection ({} open)", connections_.size()));
  gateway_->counters->connections.fetch_sub(1, std::memory_order_relaxed);
  settled_changed_.notify_all();
}

void tcp_listener::close_acceptor() {
  std::promise<void> closed;
  reactors_.at(0).post([this, &closed] {
    reactors_.at(0).unwatch(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
    closed.set_value();
  });
  closed.get_future().wait();
}

void tcp_listener::stop(std::chrono::milliseconds grace) {
  if (!running_) return;
  running_ = false;
  close_acceptor();
  std::unique_lock<std::mutex> lock(mutex_);
  for (auto& entry : connections_) entry.second->drain();
  // Settled connections only wait for their peer's close: their answers are all written.
  settled_changed_.wait_for(lock, grace, [this] { return settled_count_ == connections_.size(); });
  for (auto& entry : connections_) entry.second->close();
  settled_changed_.wait_for(lock, close_wait, [this] { return connections_.empty(); });
}

}  // namespace rooms
