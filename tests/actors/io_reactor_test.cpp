// io_reactor: readiness, posted work across threads, the sleep handshake, timers and deferred
// work, driven by hand on the test's thread (and one helper thread) without an actor system.
#include "actors/gateway/io_reactor.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

using namespace rooms;
using namespace std::chrono_literals;

namespace {

struct recorder final : io_handler {
  std::vector<std::uint32_t> events;
  void on_ready(std::uint32_t e) override { events.push_back(e); }
};

struct counter final : io_deferred {
  int runs = 0;
  void run_deferred() override { ++runs; }
};

struct socket_pair {
  int fds[2] = {-1, -1};
  socket_pair() { BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0); }
  ~socket_pair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(io_reactor_tests)

BOOST_AUTO_TEST_CASE(a_watched_socket_reports_each_arrival_once_edge_triggered) {
  io_reactor reactor;
  reactor.bind_to_this_thread();
  BOOST_TEST(io_reactor::current() == &reactor);
  socket_pair pair;
  recorder handler;
  BOOST_REQUIRE(reactor.watch(pair.fds[0], &handler, EPOLLIN | EPOLLET));
  BOOST_TEST(!reactor.poll(false));  // nothing arrived
  BOOST_REQUIRE(::write(pair.fds[1], "ab", 2) == 2);
  BOOST_TEST(reactor.poll(false));
  BOOST_REQUIRE(handler.events.size() == 1u);
  BOOST_TEST((handler.events[0] & EPOLLIN) != 0u);
  // Not read, but reported once: a new arrival is a new edge.
  BOOST_TEST(!reactor.poll(false));
  BOOST_REQUIRE(::write(pair.fds[1], "c", 1) == 1);
  BOOST_TEST(reactor.poll(false));
  BOOST_TEST(handler.events.size() == 2u);
  reactor.unwatch(pair.fds[0]);
  BOOST_REQUIRE(::write(pair.fds[1], "d", 1) == 1);
  BOOST_TEST(!reactor.poll(false));
}

BOOST_AUTO_TEST_CASE(posted_work_runs_in_order_on_the_polling_thread) {
  io_reactor reactor;
  std::vector<int> ran;
  std::thread poster([&] {
    for (int i = 0; i < 3; ++i) reactor.post([&ran, i] { ran.push_back(i); });
  });
  poster.join();
  BOOST_TEST(reactor.has_posted());
  BOOST_TEST(reactor.poll(false));
  BOOST_TEST(ran == (std::vector<int>{0, 1, 2}));
  BOOST_TEST(!reactor.has_posted());
}

// The handshake of a hosting thread: flag, check, block; a post from another thread ends the
// wait, however the two interleave.
BOOST_AUTO_TEST_CASE(a_post_wakes_a_sleeping_reactor) {
  io_reactor reactor;
  std::atomic<int> ran{0};
  for (int round = 0; round < 200; ++round) {
    std::thread poster([&] { reactor.post([&ran] { ++ran; }); });
    while (ran.load() == round) {
      reactor.set_sleeping(true);
      reactor.poll(!reactor.has_posted());
      reactor.set_sleeping(false);
    }
    poster.join();
  }
  BOOST_TEST(ran.load() == 200);
  BOOST_TEST(!reactor.wake());  // nobody sleeps: nothing written
}

BOOST_AUTO_TEST_CASE(timers_fire_in_deadline_order_and_bound_a_blocking_poll) {
  io_reactor reactor;
  std::vector<int> fired;
  const auto now = io_reactor::clock::now();
  reactor.run_at(now + 30ms, [&] { fired.push_back(2); });
  reactor.run_at(now + 10ms, [&] { fired.push_back(1); });
  reactor.run_at(now + 1h, [&] { fired.push_back(3); });
  BOOST_TEST(!reactor.poll(false));
  while (fired.size() < 2) reactor.poll(true);  // returns by the first timer, not in an hour
  BOOST_TEST(fired == (std::vector<int>{1, 2}));
  BOOST_TEST((io_reactor::clock::now() - now < 10s));
}

BOOST_AUTO_TEST_CASE(deferred_work_runs_once_at_the_end_of_the_round) {
  io_reactor reactor;
  auto job = std::make_shared<counter>();
  reactor.defer(job);
  BOOST_TEST(job->runs == 0);
  // A blocking poll with deferred work does not wait.
  BOOST_TEST(reactor.poll(true));
  BOOST_TEST(job->runs == 1);
  BOOST_TEST(!reactor.poll(false));
  BOOST_TEST(job->runs == 1);
}

BOOST_AUTO_TEST_CASE(paced_work_runs_at_most_once_per_interval_and_at_once_after_a_quiet_spell) {
  io_reactor reactor;
  reactor.set_pace_interval(io_reactor::lane::events, 50ms);
  auto job = std::make_shared<counter>();
  const auto start = io_reactor::clock::now();
  // The first after a quiet spell runs with the next round.
  reactor.defer_paced(job);
  BOOST_TEST(reactor.poll(false));
  BOOST_TEST(job->runs == 1);
  // The next waits for the interval: a non-blocking poll leaves it, a blocking one sleeps
  // until it is due, not longer.
  reactor.defer_paced(job);
  BOOST_TEST(!reactor.poll(false));
  BOOST_TEST(job->runs == 1);
  while (job->runs < 2) reactor.poll(true);
  const auto waited = io_reactor::clock::now() - start;
  BOOST_TEST((waited >= 50ms));
  BOOST_TEST((waited < 10s));
  // Deferred (unpaced) work still runs with every round.
  auto prompt = std::make_shared<counter>();
  reactor.defer_paced(job);
  reactor.defer(prompt);
  BOOST_TEST(reactor.poll(true));
  BOOST_TEST(prompt->runs == 1);
  BOOST_TEST(job->runs == 2);
}

BOOST_AUTO_TEST_CASE(without_an_interval_paced_work_runs_with_every_round) {
  io_reactor reactor;
  auto job = std::make_shared<counter>();
  for (int i = 1; i <= 3; ++i) {
    reactor.defer_paced(job);
    BOOST_TEST(reactor.poll(true));
    BOOST_TEST(job->runs == i);
  }
}

BOOST_AUTO_TEST_CASE(each_lane_is_paced_by_its_own_interval) {
  io_reactor reactor;
  reactor.set_pace_interval(io_reactor::lane::events, 1h);
  reactor.set_pace_interval(io_reactor::lane::answers, 0ms);
  auto events = std::make_shared<counter>();
  auto answers = std::make_shared<counter>();
  // Both lanes were quiet: their first jobs run with the next round.
  reactor.defer_paced(events, io_reactor::lane::events);
  reactor.defer_paced(answers, io_reactor::lane::answers);
  BOOST_TEST(reactor.poll(false));
  BOOST_TEST(events->runs == 1);
  BOOST_TEST(answers->runs == 1);
  // The events' hour is not up; the answers' lane is not held back by it.
  reactor.defer_paced(events, io_reactor::lane::events);
  for (int i = 2; i <= 3; ++i) {
    reactor.defer_paced(answers, io_reactor::lane::answers);
    BOOST_TEST(reactor.poll(false));
    BOOST_TEST(answers->runs == i);
  }
  BOOST_TEST(events->runs == 1);
}

BOOST_AUTO_TEST_CASE(a_reactor_set_hands_out_its_reactors_in_turn_and_runs_their_threads) {
  io_reactor_set set{3};
  BOOST_TEST(set.size() == 3u);
  BOOST_TEST(&set.next() == &set.at(0));
  BOOST_TEST(&set.next() == &set.at(1));
  BOOST_TEST(&set.next() == &set.at(2));
  BOOST_TEST(&set.next() == &set.at(0));
  set.start_threads();
  std::atomic<int> ran{0};
  std::atomic<bool> on_own_thread{true};
  for (std::size_t i = 0; i < set.size(); ++i) {
    auto* reactor = &set.at(i);
    reactor->post([&, reactor] {
      on_own_thread = on_own_thread && io_reactor::current() == reactor;
      ++ran;
    });
  }
  for (int i = 0; i < 1000 && ran.load() < 3; ++i) std::this_thread::sleep_for(5ms);
  BOOST_TEST(ran.load() == 3);
  BOOST_TEST(on_own_thread.load());
  set.stop_threads();
}

BOOST_AUTO_TEST_SUITE_END()
