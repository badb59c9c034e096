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

std::shared_ptr<const tls_context> test_client_tls() {
  static const auto context = [] {
    auto made = make_client_tls(client_tls_from_environment());
    BOOST_REQUIRE_MESSAGE(made.ok(), "ROOMS_TLS*: " << (made.ok() ? "" : made.error().message));
    return *made;
  }();
  return context;
}

raw_socket::raw_socket(std::uint16_t port, int receive_buffer)
    : unpacker_(std::make_unique<msgpack::unpacker>()) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(fd >= 0);
  if (receive_buffer > 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (!connected) ::close(fd);
  BOOST_REQUIRE_MESSAGE(connected, "cannot connect to port " << port);
  auto stream = client_stream::start(fd, test_client_tls(), "127.0.0.1",
                                     clock::now() + std::chrono::seconds{10});
  BOOST_REQUIRE_MESSAGE(stream.ok(), "cannot start the connection to port "
                                         << port << ": "
                                         << (stream.ok() ? "" : stream.error().message));
  stream_.emplace(std::move(*stream));
}

raw_socket::~raw_socket() = default;

void raw_socket::send(std::string_view bytes) {
  const auto error = stream_->send_all(bytes, clock::now() + std::chrono::seconds{10});
  BOOST_REQUIRE_MESSAGE(!error, "send failed: " << (error ? error->message : ""));
}

void raw_socket::shutdown_write() { stream_->shutdown_write(); }

void raw_socket::receive_some(std::chrono::milliseconds timeout) {
  short revents = 0;
  if (!stream_->has_buffered() &&
      !wait_for_socket(stream_->fd(), POLLIN, clock::now() + timeout, revents))
    return;
  unpacker_->reserve_buffer(64 * 1024);
  std::size_t got = 0;
  switch (stream_->receive(unpacker_->buffer(), unpacker_->buffer_capacity(), got)) {
    case client_stream::io::done:
      unpacker_->buffer_consumed(got);
      return;
    case client_stream::io::wait_read:
    case client_stream::io::wait_write:
      return;
    case client_stream::io::closed:
    case client_stream::io::failed:
      closed_ = true;
      return;
  }
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
