// tcp_connect: connection setup is not measured, so a blocking connect is fine; the load itself
// runs non-blocking over epoll.
#include "bench/tcp_connect.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
    if (auto error = stream.wait(outcome, deadline)) return error;
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
