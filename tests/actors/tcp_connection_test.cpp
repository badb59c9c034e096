// tcp_connection: when queued answers leave. A socket pair stands in for the backend, and the
// test's thread is the reactor's; no gateway, no actor system.
#include "actors/gateway/tcp_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>

using namespace rooms;
using namespace std::chrono_literals;

namespace {

struct connection_fixture {
  io_reactor reactor;
  int peer = -1;
  std::shared_ptr<tcp_connection> connection;

  explicit connection_fixture(io_reactor::clock::duration answer_interval) {
    reactor.bind_to_this_thread();
    reactor.set_pace_interval(io_reactor::lane::answers, answer_interval);
    int fds[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    peer = fds[1];
    connection = std::make_shared<tcp_connection>(fds[0], "test", reactor, flow_limits{},
                                                  tcp_connection::observer{});
  }
  ~connection_fixture() {
    connection->close();
    reactor.poll(false);
    ::close(peer);
  }

  /// The gateway's side: queues `frame`, says how many calls still wait, flushes.
  void answer(const std::string& frame, std::size_t in_flight) {
    connection->write(frame);
    connection->report_progress(0, in_flight);
    connection->flush();
  }

  /// One round of the reactor, then what the backend can read (empty: nothing arrived).
  std::string round() {
    reactor.poll(false);
    std::string got;
    char buffer[256];
    for (;;) {
      const ssize_t n = ::recv(peer, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_connection_tests)

BOOST_AUTO_TEST_CASE(answers_wait_for_the_rest_of_their_pipeline_at_most_one_interval) {
  connection_fixture f{1h};
  // The answers' lane was quiet: the first answer leaves with the round.
  f.answer("a", 2);
  BOOST_TEST(f.round() == "a");
  // More calls are in flight and the interval is not up: the answer waits...
  f.answer("b", 1);
  BOOST_TEST(f.round() == "");
  BOOST_TEST(f.round() == "");
  // ...until the last call of the pipeline is answered: both leave at once, in order.
  f.answer("c", 0);
  BOOST_TEST(f.round() == "bc");
}

BOOST_AUTO_TEST_CASE(a_held_answer_leaves_once_its_interval_is_up) {
  connection_fixture f{20ms};
  f.answer("a", 3);
  BOOST_TEST(f.round() == "a");
  f.answer("b", 2);
  const auto start = io_reactor::clock::now();
  std::string got;
  while (got.empty() && io_reactor::clock::now() - start < 10s) {
    f.reactor.poll(true);  // sleeps until the lane is due
    got = f.round();
  }
  BOOST_TEST(got == "b");
  BOOST_TEST((io_reactor::clock::now() - start >= 15ms));
}

BOOST_AUTO_TEST_CASE(without_an_interval_every_answer_leaves_with_its_round) {
  connection_fixture f{0ms};
  f.answer("a", 3);
  BOOST_TEST(f.round() == "a");
  f.answer("b", 2);
  BOOST_TEST(f.round() == "b");
}

BOOST_AUTO_TEST_SUITE_END()
