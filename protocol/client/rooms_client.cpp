// The blocking client: POSIX TCP (or TLS over it, client_stream) with poll deadlines, requests
// written by rpc_encoder, and responses and notifications read with its own msgpack-c unpacker
// (docs/protocol.md).
#include "protocol/client/rooms_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include <fmt/core.h>

#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t receive_chunk_bytes = 64 * 1024;

rooms_error unavailable(std::string message) {
  return rooms_error{error_code::unavailable, std::move(message)};
}

rooms_error malformed(std::string_view what) {
  return rooms_error{error_code::internal, fmt::format("the node sent {}", what)};
}

std::string system_error_text(int error) { return std::strerror(error); }

// Connects one resolved address without blocking past `deadline`: the socket, or an errno.
result<int> connect_address(const addrinfo& address, clock::time_point deadline) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          address.ai_protocol);
  if (fd < 0) return unavailable(system_error_text(errno));
  int error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    short revents = 0;
    if (error == EINPROGRESS) {
      error = wait_for_socket(fd, POLLOUT, deadline, revents) ? 0 : ETIMEDOUT;
      socklen_t size = sizeof error;
      if (error == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    }
  }
  if (error != 0) {
    ::close(fd);
    return unavailable(system_error_text(error));
  }
  const int enabled = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enabled, sizeof enabled);
  return fd;
}

result<int> connect_socket(const std::string& host, std::uint16_t port,
                           clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  if (const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses))
    return unavailable(fmt::format("cannot resolve {}: {}", host, ::gai_strerror(status)));
  rooms_error last = unavailable("no address");
  for (const addrinfo* address = addresses; address; address = address->ai_next) {
    auto fd = connect_address(*address, deadline);
    if (fd) {
      ::freeaddrinfo(addresses);
      return fd;
    }
    last = fd.error();
  }
  ::freeaddrinfo(addresses);
  return unavailable(fmt::format("cannot connect to {}:{}: {}", host, port, last.message));
}

std::optional<std::string> str_or_bin(const msgpack::object& object) {
  if (object.type == msgpack::type::STR)
    return std::string{object.via.str.ptr, object.via.str.size};
  if (object.type == msgpack::type::BIN)
    return std::string{object.via.bin.ptr, object.via.bin.size};
  return std::nullopt;
}

// The wire error map {"code", "message", ...} as a rooms_error.
rooms_error error_from_wire(json wire) {
  if (!wire.is_object()) return malformed("an error that is not a map");
  const auto code = wire.contains("code") && wire["code"].is_string()
                        ? parse_error_code(wire["code"].get<std::string>())
                        : std::nullopt;
  std::string message = wire.value("message", std::string{});
  if (!code)
    message = fmt::format("unknown error {}: {}", wire.value("code", json{}).dump(), message);
  wire.erase("code");
  wire.erase("message");
  return rooms_error{code.value_or(error_code::internal), std::move(message), std::move(wire)};
}

result<inbound_message> response_from(const msgpack::object_array& items, std::size_t depth) {
  if (items.size != 4 || items.ptr[1].type != msgpack::type::POSITIVE_INTEGER ||
      items.ptr[1].via.u64 > std::numeric_limits<std::uint32_t>::max())
    return malformed("a response that is not [1, msgid, error, result]");
  const auto msgid = static_cast<std::uint32_t>(items.ptr[1].via.u64);
  const bool failed = items.ptr[2].type != msgpack::type::NIL;
  auto body = to_json(items.ptr[failed ? 2 : 3], depth);
  if (!body) return body.error();
  if (failed) return inbound_message{response{msgid, error_from_wire(std::move(*body))}};
  return inbound_message{response{msgid, std::move(*body)}};
}

result<inbound_message> notification_from(const msgpack::object_array& items, std::size_t depth) {
  auto method = items.size == 3 ? str_or_bin(items.ptr[1]) : std::nullopt;
  const msgpack::object* params = items.size == 3 ? &items.ptr[2] : nullptr;
  if (!method || params->type != msgpack::type::ARRAY || params->via.array.size > 1)
    return malformed("a notification that is not [2, method, [params]]");
  if (params->via.array.size == 0) return inbound_message{notification{std::move(*method)}};
  auto map = to_json(params->via.array.ptr[0], depth);
  if (!map) return map.error();
  if (!map->is_object()) return malformed("notification params that are not a map");
  return inbound_message{notification{std::move(*method), std::move(*map)}};
}

result<inbound_message> message_from(const msgpack::object& object, std::size_t depth) {
  if (object.type != msgpack::type::ARRAY || object.via.array.size == 0)
    return malformed("a message that is not an array");
  const msgpack::object_array& items = object.via.array;
  if (items.ptr[0].type == msgpack::type::POSITIVE_INTEGER) {
    if (items.ptr[0].via.u64 == 1) return response_from(items, depth);
    if (items.ptr[0].via.u64 == 2) return notification_from(items, depth);
  }
  return malformed("a message that is neither a response nor a notification");
}

msgpack::unpack_limit unpack_limits(const client_limits& limits) {
  const std::size_t bytes = limits.max_message_bytes;
  return msgpack::unpack_limit(bytes, bytes / 2, bytes, bytes, bytes, limits.max_depth);
}

// Strings are referenced in the unpacker's buffer: each message is converted right away.
bool reference_payloads(msgpack::type::object_type, std::size_t, void*) { return true; }

}  // namespace

result<rooms_client> rooms_client::connect(const std::string& host, std::uint16_t port,
                                           duration timeout, client_limits limits,
                                           std::shared_ptr<const tls_context> tls) {
  const clock::time_point deadline = clock::now() + timeout;
  auto fd = connect_socket(host, port, deadline);
  if (!fd) return fd.error();
  auto stream = client_stream::start(*fd, std::move(tls), host, deadline);
  if (!stream)
    return unavailable(
        fmt::format("cannot connect to {}:{}: {}", host, port, stream.error().message));
  return rooms_client{std::move(*stream), limits};
}

rooms_client::rooms_client(client_stream stream, client_limits limits)
    : stream_(std::move(stream)),
      limits_(limits),
      unpacker_(std::make_unique<msgpack::unpacker>(&reference_payloads, nullptr,
                                                    receive_chunk_bytes, unpack_limits(limits))) {}

rooms_client::rooms_client(rooms_client&& other) noexcept
    : stream_(std::move(other.stream_)),
      limits_(other.limits_),
      next_msgid_(other.next_msgid_),
      unpacker_(std::move(other.unpacker_)),
      inbound_(std::move(other.inbound_)),
      node_error_(std::move(other.node_error_)),
      closed_reason_(std::move(other.closed_reason_)) {}

rooms_client& rooms_client::operator=(rooms_client&& other) noexcept {
  if (this == &other) return *this;
  close();
  stream_ = std::move(other.stream_);
  limits_ = other.limits_;
  next_msgid_ = other.next_msgid_;
  unpacker_ = std::move(other.unpacker_);
  inbound_ = std::move(other.inbound_);
  node_error_ = std::move(other.node_error_);
  closed_reason_ = std::move(other.closed_reason_);
  return *this;
}

rooms_client::~rooms_client() { close(); }

void rooms_client::close() {
  if (!stream_.is_open()) return;
  stream_.close();
  if (!closed_reason_) closed_reason_ = unavailable("the connection was closed by the client");
}

result<json> rooms_client::call(std::string_view method, const json& params, duration timeout) {
  const clock::time_point deadline = clock::now() + timeout;
  if (auto error = not_open()) return *error;
  const std::uint32_t msgid = next_msgid_++;
  if (auto error = write_all(encode_request(msgid, method, params), deadline)) return *error;
  for (;;) {
    if (auto outcome = take_response(msgid)) return std::move(*outcome);
    if (auto error = wait_and_receive(deadline)) return *error;
  }
}

result<std::uint32_t> rooms_client::send_request(std::string_view method, const json& params) {
  if (auto error = not_open()) return *error;
  const std::uint32_t msgid = next_msgid_++;
  if (auto error = write_all(encode_request(msgid, method, params), clock::now() + default_timeout))
    return *error;
  return msgid;
}

std::optional<rooms_error> rooms_client::send_notification(std::string_view method,
                                                           const json& params) {
  return send_raw(encode_notification(method, params));
}

std::optional<rooms_error> rooms_client::send_raw(std::string_view bytes) {
  if (auto error = not_open()) return error;
  return write_all(bytes, clock::now() + default_timeout);
}

result<inbound_message> rooms_client::read_message(duration timeout) {
  const clock::time_point deadline = clock::now() + timeout;
  while (inbound_.empty()) {
    if (auto error = wait_and_receive(deadline)) return *error;
  }
  inbound_message message = std::move(inbound_.front());
  inbound_.pop_front();
  return message;
}

std::optional<notification> rooms_client::next_notification(duration timeout) {
  const clock::time_point deadline = clock::now() + timeout;
  for (;;) {
    if (auto found = take_notification()) return found;
    if (wait_and_receive(deadline)) return std::nullopt;
  }
}

std::optional<result<json>> rooms_client::take_response(std::uint32_t msgid) {
  const auto found = std::find_if(inbound_.begin(), inbound_.end(), [&](const auto& message) {
    const auto* answer = std::get_if<response>(&message);
    return answer && answer->msgid == msgid;
  });
  if (found == inbound_.end()) return std::nullopt;
  result<json> outcome = std::move(std::get<response>(*found).outcome);
  inbound_.erase(found);
  return outcome;
}

std::optional<notification> rooms_client::take_notification() {
  const auto found = std::find_if(inbound_.begin(), inbound_.end(), [](const auto& message) {
    return std::holds_alternative<notification>(message);
  });
  if (found == inbound_.end()) return std::nullopt;
  notification event = std::move(std::get<notification>(*found));
  inbound_.erase(found);
  return event;
}

std::optional<rooms_error> rooms_client::write_all(std::string_view bytes,
                                                   clock::time_point deadline) {
  while (!bytes.empty()) {
    // Reading while waiting to write: a node that stops reading until we read its responses
    // (TCP flow control in both directions) must not deadlock a pipelining client.
    short revents = 0;
    if (!wait_for_socket(stream_.fd(), POLLOUT | POLLIN, deadline, revents))
      return unavailable("timed out sending to the node");
    if (revents & POLLIN) {
      if (auto error = receive_available()) return error;
    }
    if (!(revents & (POLLOUT | POLLERR | POLLHUP))) continue;
    std::size_t sent = 0;
    switch (stream_.send(bytes.data(), bytes.size(), sent)) {
      case client_stream::io::done:
        bytes.remove_prefix(sent);
        break;
      case client_stream::io::wait_read:
      case client_stream::io::wait_write:
        break;
      case client_stream::io::closed:
        return fail(unavailable("the connection was closed by the node"));
      case client_stream::io::failed:
        return fail(unavailable(fmt::format("send failed: {}", stream_.error())));
    }
  }
  return std::nullopt;
}

std::optional<rooms_error> rooms_client::wait_and_receive(clock::time_point deadline) {
  if (auto error = not_open()) return error;
  if (stream_.has_buffered()) return receive_available();
  short revents = 0;
  if (!wait_for_socket(stream_.fd(), POLLIN, deadline, revents))
    return unavailable("timed out waiting for the node");
  return receive_available();
}

std::optional<rooms_error> rooms_client::receive_available() {
  unpacker_->reserve_buffer(receive_chunk_bytes);
  std::size_t received = 0;
  switch (stream_.receive(unpacker_->buffer(), unpacker_->buffer_capacity(), received)) {
    case client_stream::io::done:
      unpacker_->buffer_consumed(received);
      return unpack_received();
    case client_stream::io::wait_read:
    case client_stream::io::wait_write:
      return std::nullopt;
    case client_stream::io::closed:
    case client_stream::io::failed:
      break;
  }
  // The node's last word before closing (a protocol error, unauthenticated) is the reason,
  // even when unread bytes turned its close into a reset.
  if (node_error_) return fail(*node_error_);
  if (stream_.error().empty()) return fail(unavailable("the connection was closed by the node"));
  return fail(unavailable(fmt::format("receive failed: {}", stream_.error())));
}

std::optional<rooms_error> rooms_client::unpack_received() {
  for (;;) {
    msgpack::object_handle handle;
    bool complete = false;
    if (auto error = unpack_one(handle, complete)) return fail(*error);
    if (!complete) break;
    auto message = message_from(handle.get(), limits_.max_depth);
    if (!message) return fail(message.error());
    if (const auto* event = std::get_if<notification>(&*message); event && event->method == "error")
      node_error_ = error_from_wire(event->params);
    inbound_.push_back(std::move(*message));
  }
  if (unpacker_->message_size() > limits_.max_message_bytes)
    return fail(rooms_error{error_code::too_large, "the node sent a message past the limit"});
  return std::nullopt;
}

std::optional<rooms_error> rooms_client::unpack_one(msgpack::object_handle& handle,
                                                    bool& complete) {
  // The client's one place where msgpack-c's exceptions are caught.
  try {
    complete = unpacker_->next(handle);
    return std::nullopt;
  } catch (const msgpack::size_overflow& e) {
    return rooms_error{error_code::too_large, fmt::format("the node sent too much: {}", e.what())};
  } catch (const std::exception& e) {
    return malformed(fmt::format("bytes that are not MessagePack: {}", e.what()));
  }
}

rooms_error rooms_client::fail(rooms_error error) {
  closed_reason_ = error;
  close();
  return error;
}

std::optional<rooms_error> rooms_client::not_open() const {
  if (stream_.is_open()) return std::nullopt;
  return closed_reason_.value_or(unavailable("not connected"));
}

}  // namespace rooms
