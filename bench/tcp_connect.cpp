// tcp_connect: connection setup is not measured, so a blocking connect is fine; the load itself
// runs non-blocking over epoll.
#include "bench/tcp_connect.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace rooms::bench {

result<int> tcp_connect(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (int status = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses))
    return rooms_error{error_code::unavailable, ::gai_strerror(status)};
  int fd = -1;
  int last_errno = 0;
  for (const addrinfo* a = addresses; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      last_errno = errno;
      ::close(std::exchange(fd, -1));
    }
  }
  ::freeaddrinfo(addresses);
  if (fd < 0)
    return rooms_error{error_code::unavailable, fmt::format("cannot connect to {}:{}: {}", host,
                                                            port, std::strerror(last_errno))};
  const int enabled = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof enabled);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

namespace {

// Waits for what `outcome` asks for; an error for a closed or failed stream or a deadline.
std::optional<rooms_error> wait_for(client_stream& stream, client_stream::io outcome,
                                    client_stream::clock::time_point deadline) {
  if (outcome == client_stream::io::closed)
    return rooms_error{error_code::unavailable, "the server closed the connection"};
  if (outcome == client_stream::io::failed)
    return rooms_error{error_code::unavailable, stream.error()};
  short revents = 0;
  const short events = outcome == client_stream::io::wait_write ? POLLOUT : POLLIN;
  if (!wait_for_socket(stream.fd(), events, deadline, revents))
    return rooms_error{error_code::unavailable, "timed out waiting for the server"};
  return std::nullopt;
}

}  // namespace

std::optional<rooms_error> send_all(client_stream& stream, std::string_view bytes,
                                    client_stream::clock::time_point deadline) {
  while (!bytes.empty()) {
    std::size_t sent = 0;
    const auto outcome = stream.send(bytes.data(), bytes.size(), sent);
    bytes.remove_prefix(sent);
    if (outcome == client_stream::io::done) continue;
    if (auto error = wait_for(stream, outcome, deadline)) return error;
  }
  return std::nullopt;
}

std::optional<rooms_error> receive_some(client_stream& stream, std::string& chunk,
                                        client_stream::clock::time_point deadline) {
  chunk.resize(64 * 1024);
  for (;;) {
    std::size_t got = 0;
    const auto outcome = stream.receive(chunk.data(), chunk.size(), got);
    if (outcome == client_stream::io::done) {
      chunk.resize(got);
      return std::nullopt;
    }
    if (auto error = wait_for(stream, outcome, deadline)) return error;
  }
}

result<client_stream> bench_connect(const std::string& host, std::uint16_t port,
                                    const std::shared_ptr<const tls_context>& tls) {
  auto fd = tcp_connect(host, port);
  if (!fd) return fd.error();
  auto stream =
      client_stream::start(*fd, tls, host, client_stream::clock::now() + std::chrono::seconds{10});
  if (!stream)
    return rooms_error{error_code::unavailable, fmt::format("cannot connect to {}:{}: {}", host,
                                                            port, stream.error().message)};
  return std::move(*stream);
}

}  // namespace rooms::bench
