// A client's socket, plaintext or TLS, and the ROOMS_TLS* variables.
#include "protocol/client/client_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace rooms {

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

int milliseconds_until(client_stream::clock::time_point deadline) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - client_stream::clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1 << 30));
}

client_stream::io from_tls(tls_status status) {
  switch (status) {
    case tls_status::ok:
      return client_stream::io::done;
    case tls_status::want_read:
      return client_stream::io::wait_read;
    case tls_status::want_write:
      return client_stream::io::wait_write;
    case tls_status::closed:
      return client_stream::io::closed;
    case tls_status::failed:
      break;
  }
  return client_stream::io::failed;
}

}  // namespace

client_tls_settings client_tls_from_environment() {
  client_tls_settings settings;
  const std::string flag = environment("ROOMS_TLS");
  settings.files.ca = environment("ROOMS_TLS_CA");
  settings.files.cert = environment("ROOMS_TLS_CERT");
  settings.files.key = environment("ROOMS_TLS_KEY");
  settings.enabled = (!flag.empty() && flag != "0") || !settings.files.ca.empty() ||
                     !settings.files.cert.empty() || !settings.files.key.empty();
  return settings;
}

result<std::shared_ptr<const tls_context>> make_client_tls(const client_tls_settings& settings) {
  if (!settings.enabled) return std::shared_ptr<const tls_context>{};
  return tls_context::client(settings.files);
}

bool wait_for_socket(int fd, short events, client_stream::clock::time_point deadline,
                     short& revents) {
  pollfd entry{fd, events, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, milliseconds_until(deadline));
    if (ready > 0) {
      revents = entry.revents;
      return true;
    }
    if (ready == 0) return false;
    if (errno != EINTR) {
      revents = POLLERR;
      return true;
    }
  }
}

result<client_stream> client_stream::start(int fd, std::shared_ptr<const tls_context> tls,
                                           std::string_view host, clock::time_point deadline) {
  client_stream stream{fd};
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (!tls) return stream;
  auto session = tls_session::connect(*tls, fd, host);
  if (!session) return session.error();
  stream.tls_.emplace(std::move(*session));
  for (;;) {
    const tls_status step = stream.tls_->handshake();
    if (step == tls_status::ok) return stream;
    if (step == tls_status::failed) stream.error_ = stream.tls_->error();
    if (auto error = stream.wait(from_tls(step), deadline))
      return rooms_error{error_code::unavailable,
                         fmt::format("TLS handshake failed: {}", error->message)};
  }
}

std::optional<rooms_error> client_stream::wait(io outcome, clock::time_point deadline) const {
  if (outcome == io::closed)
    return rooms_error{error_code::unavailable, "the node closed the connection"};
  if (outcome == io::failed) return rooms_error{error_code::unavailable, error_};
  if (outcome == io::done) return std::nullopt;
  short revents = 0;
  if (!wait_for_socket(fd_, outcome == io::wait_write ? POLLOUT : POLLIN, deadline, revents))
    return rooms_error{error_code::unavailable, "timed out waiting for the node"};
  return std::nullopt;
}

std::optional<rooms_error> client_stream::send_all(std::string_view bytes,
                                                   clock::time_point deadline) {
  while (!bytes.empty()) {
    std::size_t sent = 0;
    const io outcome = send(bytes.data(), bytes.size(), sent);
    bytes.remove_prefix(sent);
    if (outcome == io::done) continue;
    if (auto error = wait(outcome, deadline)) return error;
  }
  return std::nullopt;
}

client_stream::client_stream(client_stream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      tls_(std::move(other.tls_)),
      error_(std::move(other.error_)) {
  other.tls_.reset();
}

client_stream& client_stream::operator=(client_stream&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    tls_ = std::move(other.tls_);
    other.tls_.reset();
    error_ = std::move(other.error_);
  }
  return *this;
}

client_stream::~client_stream() { close(); }

client_stream::io client_stream::send(const char* data, std::size_t size, std::size_t& sent) {
  sent = 0;
  if (tls_) {
    const io outcome = from_tls(tls_->write(data, size, sent));
    if (outcome == io::failed) error_ = tls_->error();
    return outcome;
  }
  for (;;) {
    const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      sent = static_cast<std::size_t>(n);
      return io::done;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return io::wait_write;
    error_ = std::strerror(errno);
    return io::failed;
  }
}

client_stream::io client_stream::receive(char* data, std::size_t capacity, std::size_t& got) {
  got = 0;
  if (tls_) {
    const io outcome = from_tls(tls_->read(data, capacity, got));
    if (outcome == io::failed) error_ = tls_->error();
    return outcome;
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, data, capacity, 0);
    if (n > 0) {
      got = static_cast<std::size_t>(n);
      return io::done;
    }
    if (n == 0) return io::closed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return io::wait_read;
    error_ = std::strerror(errno);
    return io::failed;
  }
}

void client_stream::shutdown_write() {
  if (fd_ < 0) return;
  if (tls_) tls_->shutdown();
  ::shutdown(fd_, SHUT_WR);
}

void client_stream::close() {
  tls_.reset();
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

}  // namespace rooms
