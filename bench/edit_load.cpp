// edit_load: the epoll loop of the `edit` workload. Level-triggered: every connection always
// waits for input, and for output only while it has unsent bytes.
#include "bench/edit_load.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "protocol/rpc_encoder.hpp"

namespace rooms::bench {

namespace {

constexpr std::size_t receive_chunk_bytes = 64 * 1024;
constexpr std::size_t max_message_bytes = 16 << 20;
/// Each room's edits overwrite one of this many cells, so room data stays small however long
/// the run: the node's cost per edit does not drift with time.
constexpr int cells_per_room = 100;

/// What an answer from the node means to the load: a response to `msgid` (failed when `code` is
/// set), an "error" notification (the node closes next), or something to ignore.
struct answer {
  enum class kind { response, error_notification, other } what = kind::other;
  std::uint32_t msgid = 0;
  std::optional<std::string> code;
};

std::optional<std::string> string_of(const msgpack::object& object) {
  if (object.type == msgpack::type::STR)
    return std::string{object.via.str.ptr, object.via.str.size};
  if (object.type == msgpack::type::BIN)
    return std::string{object.via.bin.ptr, object.via.bin.size};
  return std::nullopt;
}

// The "code" of a wire error map {"code", "message", ...}.
std::string error_code_of(const msgpack::object& error) {
  if (error.type != msgpack::type::MAP) return "malformed_error";
  for (const auto& kv : std::span{error.via.map.ptr, error.via.map.size})
    if (string_of(kv.key) == "code") return string_of(kv.val).value_or("malformed_error");
  return "malformed_error";
}

// The error map inside an "error" notification's params `[{...}]`.
std::string notification_code(const msgpack::object& params) {
  if (params.type != msgpack::type::ARRAY || params.via.array.size != 1) return "malformed_error";
  return error_code_of(params.via.array.ptr[0]);
}

answer decode_answer(const msgpack::object& message) {
  if (message.type != msgpack::type::ARRAY || message.via.array.size < 3) return {};
  const msgpack::object* items = message.via.array.ptr;
  if (items[0].type != msgpack::type::POSITIVE_INTEGER) return {};
  if (items[0].via.u64 == 1 && message.via.array.size == 4 &&
      items[1].type == msgpack::type::POSITIVE_INTEGER) {
    answer a{answer::kind::response, static_cast<std::uint32_t>(items[1].via.u64), std::nullopt};
    if (items[2].type != msgpack::type::NIL) a.code = error_code_of(items[2]);
    return a;
  }
  if (items[0].via.u64 == 2 && string_of(items[1]) == "error")
    return {answer::kind::error_notification, 0, notification_code(items[2])};
  return {};
}

double cpu_seconds_now() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// A blocking connect (setup is not measured), then non-blocking with TCP_NODELAY.
result<int> connect_to(const std::string& host, std::uint16_t port) {
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

bool reference_payloads(msgpack::type::object_type, std::size_t, void*) { return true; }

std::unique_ptr<msgpack::unpacker> make_unpacker() {
  const std::size_t b = max_message_bytes;
  return std::make_unique<msgpack::unpacker>(&reference_payloads, nullptr, receive_chunk_bytes,
                                             msgpack::unpack_limit(b, b / 2, b, b, b, 64));
}

}  // namespace

edit_load::edit_load(const bench_options& options, std::vector<std::string> rooms)
    : options_(options),
      rooms_(std::move(rooms)),
      string_value_(static_cast<std::size_t>(options.value_bytes), 'v') {}

edit_load::~edit_load() { close_all(); }

result<load_outcome> edit_load::run() {
  if (auto error = open_connections()) return *error;
  for (auto& connection : connections_) {
    for (int i = 0; i < options_.depth; ++i) queue_edit(connection);
    flush(connection);
  }
  const auto measure_start =
      bench_clock::now() + std::chrono::duration_cast<bench_clock::duration>(
                               std::chrono::duration<double>(options_.warmup_seconds));
  loop_until(measure_start);
  measuring_ = true;
  const double cpu_start = cpu_seconds_now();
  const auto window_start = bench_clock::now();
  loop_until(window_start + std::chrono::duration_cast<bench_clock::duration>(
                                std::chrono::duration<double>(options_.seconds)));
  load_outcome outcome;
  outcome.cpu_seconds = cpu_seconds_now() - cpu_start;
  outcome.wall_seconds = std::chrono::duration<double>(bench_clock::now() - window_start).count();
  stopping_ = true;
  close_all();
  outcome.stats = std::move(stats_);
  return outcome;
}

std::optional<rooms_error> edit_load::open_connections() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return rooms_error{error_code::internal, std::strerror(errno)};
  connections_.resize(static_cast<std::size_t>(options_.connections));
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    auto fd = connect_to(options_.host, options_.port);
    if (!fd) return fd.error();
    connections_[i].fd = *fd;
    connections_[i].unpacker = make_unpacker();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, *fd, &event);
    ++open_count_;
  }
  return std::nullopt;
}

void edit_load::loop_until(bench_clock::time_point end) {
  std::vector<epoll_event> events(256);
  for (auto now = bench_clock::now(); now < end && open_count_ > 0; now = bench_clock::now()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(end - now).count();
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(std::clamp<std::int64_t>(left, 1, 100)));
    for (int i = 0; i < n; ++i) on_event(connections_[events[i].data.u64], events[i].events);
  }
}

void edit_load::on_event(bench_connection& connection, std::uint32_t events) {
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(connection);
  if (connection.fd >= 0 && (events & EPOLLOUT)) flush(connection);
}

void edit_load::receive(bench_connection& connection) {
  for (;;) {
    connection.unpacker->reserve_buffer(receive_chunk_bytes);
    const ssize_t n = ::recv(connection.fd, connection.unpacker->buffer(),
                             connection.unpacker->buffer_capacity(), 0);
    if (n == 0) return drop(connection, "connection_closed");
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return drop(connection, "connection_error");
    connection.unpacker->buffer_consumed(static_cast<std::size_t>(n));
    if (!unpack_all(connection, bench_clock::now())) return;
  }
  // Edits queued by the answers just read go out in one write.
  flush(connection);
}

// msgpack-c throws on bad input; this is the one place that turns that into a value.
bool edit_load::unpack_all(bench_connection& connection, bench_clock::time_point now) {
  try {
    msgpack::object_handle handle;
    while (connection.fd >= 0 && connection.unpacker->next(handle))
      on_message(connection, handle.get(), now);
  } catch (const std::exception&) {
    drop(connection, "malformed_answer");
  }
  return connection.fd >= 0;
}

void edit_load::on_message(bench_connection& connection, const msgpack::object& message,
                           bench_clock::time_point now) {
  const answer a = decode_answer(message);
  if (a.what == answer::kind::error_notification) {
    stats_.record_error(*a.code);
    return;
  }
  if (a.what != answer::kind::response) return;
  auto sent = connection.in_flight.find(a.msgid);
  if (sent == connection.in_flight.end()) return stats_.record_error("unexpected_msgid");
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - sent->second);
  connection.in_flight.erase(sent);
  if (measuring_ && a.code) stats_.record_error(*a.code);
  if (measuring_ && !a.code) stats_.record_ok(static_cast<std::uint32_t>(micros.count()));
  if (!stopping_) queue_edit(connection);
}

void edit_load::queue_edit(bench_connection& connection) {
  const auto room = std::uniform_int_distribution<std::size_t>(0, rooms_.size() - 1)(random_);
  const auto cell = std::uniform_int_distribution<int>(0, cells_per_room - 1)(random_);
  json op = json::object();
  op["op"] = "set";
  op["path"] = fmt::format("/cells/{}", cell);
  if (string_value_.empty())
    op["value"] = static_cast<std::int64_t>(random_() >> 1);
  else
    op["value"] = string_value_;
  json params = json::object();
  params["room"] = rooms_[room];
  params["user"] = "bench";
  params["ops"] = json::array();
  params["ops"].push_back(std::move(op));
  params["reply"] = "version";
  const std::uint32_t msgid = connection.next_msgid++;
  connection.out += encode_request(msgid, "edit", params);
  connection.in_flight.emplace(msgid, bench_clock::now());
}

void edit_load::flush(bench_connection& connection) {
  while (connection.out_offset < connection.out.size()) {
    const ssize_t n = ::send(connection.fd, connection.out.data() + connection.out_offset,
                             connection.out.size() - connection.out_offset, MSG_NOSIGNAL);
    if (n > 0) {
      connection.out_offset += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return arm_write(connection, true);
    } else if (!(n < 0 && errno == EINTR)) {
      return drop(connection, "connection_error");
    }
  }
  connection.out.clear();
  connection.out_offset = 0;
  arm_write(connection, false);
}

void edit_load::arm_write(bench_connection& connection, bool armed) {
  if (connection.write_armed == armed) return;
  connection.write_armed = armed;
  epoll_event event{};
  event.events = EPOLLIN | (armed ? EPOLLOUT : 0u);
  event.data.u64 = static_cast<std::uint64_t>(&connection - connections_.data());
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event);
}

void edit_load::drop(bench_connection& connection, const std::string& reason) {
  if (connection.fd < 0) return;
  if (!stopping_) stats_.record_error(reason);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.fd, nullptr);
  ::close(std::exchange(connection.fd, -1));
  --open_count_;
}

void edit_load::close_all() {
  stopping_ = true;
  for (auto& connection : connections_) drop(connection, "closed");
  if (epoll_fd_ >= 0) ::close(std::exchange(epoll_fd_, -1));
}

}  // namespace rooms::bench
