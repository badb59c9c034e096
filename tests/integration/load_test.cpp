// The load check of issue 3: 50 connections with 16 requests in flight each, for a few
// seconds, against a real node. Prints requests per second and the node's CPU use (cores),
// and fails if the node collapses (a connection starves, errors, or the rate falls below a
// floor far under what a 2-core machine does). ROOMS_LOAD_SECONDS, ROOMS_LOAD_IO_THREADS and
// ROOMS_LOAD_ARGS (more roomsd options, e.g. "--durability none") change the run; the numbers
// seen are in node/README.md, "Measured".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "protocol/rpc_encoder.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

constexpr int connection_count = 50;
constexpr std::uint64_t in_flight = 16;
constexpr int room_count = 10;
constexpr double min_rate = 2000;

using clock = std::chrono::steady_clock;

int env_or(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

// CPU seconds (user + system) the process has used so far.
double cpu_seconds(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  std::getline(stat, line);
  std::istringstream fields{line.substr(line.rfind(')') + 2)};
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;
  double user = 0, system = 0;
  fields >> user >> system;
  return (user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int connect_nonblocking(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(fd >= 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// One loaded connection: keeps `in_flight` requests (edits and gets of one room) outstanding.
class load_connection {
 public:
  // The requests are encoded once, with a 4-byte msgid that top_up() overwrites, so that the
  // client spends its time on the sockets, not on encoding.
  load_connection(std::uint16_t port, const std::string& room)
      : fd_(connect_nonblocking(port)),
        get_(encode_request(UINT32_MAX, "get", {{"room", room}})),
        edit_(encode_request(UINT32_MAX, "edit",
                             {{"room", room},
                              {"user", "load"},
                              {"ops", json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}})},
                              {"reply", "version"}})),
        unpacker_(std::make_unique<msgpack::unpacker>()) {
    BOOST_REQUIRE(get_[2] == '\xce' && edit_[2] == '\xce');
  }
  ~load_connection() { ::close(fd_); }

  int fd() const { return fd_; }
  bool wants_write() const { return !out_.empty(); }
  std::uint64_t answered() const { return answered_; }
  std::uint64_t errors() const { return errors_; }

  void top_up() {
    while (sent_ - answered_ < in_flight) {
      ++sent_;
      const std::string& frame = sent_ % 2 ? get_ : edit_;
      const std::size_t at = out_.size();
      out_ += frame;
      // The msgid is the 4-byte uint32 after [0x94, 0x00, 0xce].
      const auto msgid = static_cast<std::uint32_t>(sent_);
      for (int i = 0; i < 4; ++i) out_[at + 3 + i] = static_cast<char>(msgid >> (24 - 8 * i));
    }
  }

  void flush() {
    while (!out_.empty()) {
      ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        BOOST_REQUIRE_MESSAGE(n < 0 && (errno == EAGAIN || errno == EINTR), "send failed");
        return;
      }
      out_.erase(0, static_cast<std::size_t>(n));
    }
  }

  void receive() {
    unpacker_->reserve_buffer(64 * 1024);
    ssize_t n = ::recv(fd_, unpacker_->buffer(), unpacker_->buffer_capacity(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    BOOST_REQUIRE_MESSAGE(n > 0, "the node closed a loaded connection");
    unpacker_->buffer_consumed(static_cast<std::size_t>(n));
    msgpack::object_handle handle;
    while (unpacker_->next(handle)) {
      const msgpack::object& m = handle.get();
      bool ok = m.type == msgpack::type::ARRAY && m.via.array.size == 4 &&
                m.via.array.ptr[2].type == msgpack::type::NIL;
      ++answered_;
      if (!ok) ++errors_;
    }
  }

 private:
  int fd_;
  std::string get_;
  std::string edit_;
  std::unique_ptr<msgpack::unpacker> unpacker_;
  std::string out_;
  std::uint64_t sent_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t errors_ = 0;
};

// Drives every connection until `deadline`: read what arrived, send as much as was answered.
void drive(std::vector<std::unique_ptr<load_connection>>& connections, clock::time_point deadline) {
  std::vector<pollfd> fds(connections.size());
  while (clock::now() < deadline) {
    for (std::size_t i = 0; i < connections.size(); ++i) {
      fds[i] = {connections[i]->fd(),
                static_cast<short>(POLLIN | (connections[i]->wants_write() ? POLLOUT : 0)), 0};
    }
    ::poll(fds.data(), fds.size(), 100);
    for (std::size_t i = 0; i < connections.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) connections[i]->receive();
      connections[i]->top_up();
      connections[i]->flush();
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(fifty_connections_sixteen_in_flight_each) {
  const int seconds = env_or("ROOMS_LOAD_SECONDS", 3);
  const int io_threads = env_or("ROOMS_LOAD_IO_THREADS", 1);
  std::vector<std::string> args{"--io-threads", std::to_string(io_threads), "--log-level", "warn"};
  std::istringstream extra{std::getenv("ROOMS_LOAD_ARGS") ? std::getenv("ROOMS_LOAD_ARGS") : ""};
  for (std::string arg; extra >> arg;) args.push_back(arg);
  node_process node{args};
  auto setup = node.connect();
  std::vector<std::string> rooms;
  for (int i = 0; i < room_count; ++i) {
    rooms.push_back(create_room(setup, "load"));
  }
  std::vector<std::unique_ptr<load_connection>> connections;
  for (int i = 0; i < connection_count; ++i)
    connections.push_back(std::make_unique<load_connection>(node.port(), rooms[i % room_count]));
  for (auto& c : connections) {
    c->top_up();
    c->flush();
  }
  const double cpu_before = cpu_seconds(node.pid());
  const double client_cpu_before = cpu_seconds(::getpid());
  const auto start = clock::now();
  drive(connections, start + std::chrono::seconds{seconds});
  const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  const double cores = (cpu_seconds(node.pid()) - cpu_before) / elapsed;
  const double client_cores = (cpu_seconds(::getpid()) - client_cpu_before) / elapsed;
  std::uint64_t total = 0, errors = 0, slowest = UINT64_MAX;
  for (auto& c : connections) {
    total += c->answered();
    errors += c->errors();
    slowest = std::min(slowest, c->answered());
  }
  const double rate = static_cast<double>(total) / elapsed;
  BOOST_TEST_MESSAGE("load: " << connection_count << " connections x " << in_flight
                              << " in flight, " << io_threads << " I/O thread(s): " << total
                              << " answers in " << elapsed << " s = " << static_cast<long>(rate)
                              << " req/s; CPU: node " << cores << " cores, load client "
                              << client_cores << " cores; slowest connection " << slowest
                              << " answers");
  BOOST_TEST(errors == 0u);
  BOOST_TEST(slowest > 0u);
  BOOST_TEST(rate > min_rate);
  BOOST_TEST(must(setup.call("ping"))["pong"] == true);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
