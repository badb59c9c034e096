// A bare TCP connection with a MessagePack reader, for the integration tests.
#include "tests/integration/raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"

namespace rooms::testing {

namespace {
using clock = std::chrono::steady_clock;
}

std::string pack(const json& value) { return to_msgpack_bytes(value); }

raw_socket::raw_socket(std::uint16_t port, int receive_buffer)
    : unpacker_(std::make_unique<msgpack::unpacker>()) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(fd_ >= 0);
  if (receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE_MESSAGE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0,
                        "cannot connect to port " << port);
}

raw_socket::~raw_socket() {
  if (fd_ >= 0) ::close(fd_);
}

void raw_socket::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    BOOST_REQUIRE_MESSAGE(n > 0, "send failed: errno " << errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void raw_socket::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void raw_socket::receive_some(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return;
  unpacker_->reserve_buffer(64 * 1024);
  ssize_t n = ::recv(fd_, unpacker_->buffer(), unpacker_->buffer_capacity(), 0);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    closed_ = true;
    return;
  }
  unpacker_->buffer_consumed(static_cast<std::size_t>(n));
}

void raw_socket::unpack(std::vector<json>& out, std::size_t limit) {
  msgpack::object_handle handle;
  while (out.size() < limit && unpacker_->next(handle)) {
    auto doc = to_json(handle.get(), 128);
    BOOST_REQUIRE_MESSAGE(doc.ok(), "the node sent a value that is not a document");
    out.push_back(std::move(*doc));
  }
}

std::vector<json> raw_socket::read(std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<json> out;
  auto deadline = clock::now() + timeout;
  unpack(out, count);
  while (out.size() < count && !closed_ && clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    receive_some(std::max(left, std::chrono::milliseconds{1}));
    unpack(out, count);
  }
  return out;
}

std::vector<json> raw_socket::read_to_end(std::chrono::milliseconds timeout) {
  return read(static_cast<std::size_t>(-1), timeout);
}

}  // namespace rooms::testing
