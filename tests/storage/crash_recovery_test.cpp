// Recovery after a crash (issue 4): a child process (this binary, running the disabled
// crash_child case) writes through group_writer and reports each acknowledged write on a pipe;
// the parent kills it with SIGKILL, reopens the data dir, and finds every acknowledged write.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "actors/storage/group_writer.hpp"
#include "tests/storage/store_test_helpers.hpp"

namespace bdata = boost::unit_test::data;

namespace rooms {

namespace {

using namespace test;

constexpr int child_rooms = 4;
constexpr std::size_t acks_before_kill = 2000;

struct ack {
  std::uint32_t room;
  std::uint64_t version;
};

std::string room_name(std::uint32_t i) { return "crash-" + std::to_string(i); }

// The child: one closed-loop submitter per room until it is killed.
[[noreturn]] void run_child(const std::string& dir, durability mode, int ack_fd) {
  auto store = room_store::open(dir);
  if (!store) std::_Exit(2);
  group_writer writer(batch_target::of(**store), mode);
  std::vector<std::thread> rooms;
  for (std::uint32_t r = 0; r < child_rooms; ++r)
    rooms.emplace_back([&, r] {
      for (std::uint64_t v = 1;; ++v) {
        std::promise<void> done;
        writer.submit(v == 1 ? create(room_name(r)) : edit(room_name(r), v),
                      [&, r, v](const std::optional<rooms_error>& error) {
                        if (error) std::_Exit(3);
                        const ack a{r, v};
                        if (::write(ack_fd, &a, sizeof a) != sizeof a) std::_Exit(4);
                        done.set_value();
                      });
        done.get_future().wait();
      }
    });
  for (auto& t : rooms) t.join();
  std::_Exit(0);
}

// Starts this binary's crash_child case writing to `dir`; returns its pid and the pipe's read end.
std::pair<pid_t, int> spawn_child(const std::string& dir, durability mode) {
  int fds[2];
  BOOST_TEST_REQUIRE(::pipe(fds) == 0);
  const std::string env_dir = "ROOMS_CRASH_DIR=" + dir;
  const std::string env_mode = "ROOMS_CRASH_MODE=" + std::string(to_string(mode));
  const std::string env_fd = "ROOMS_CRASH_FD=" + std::to_string(fds[1]);
  std::array<const char*, 4> envp = {env_dir.c_str(), env_mode.c_str(), env_fd.c_str(), nullptr};
  std::array<const char*, 3> argv = {"rooms_storage_tests",
                                     "--run_test=crash_recovery_child/crash_child", nullptr};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::execve("/proc/self/exe", const_cast<char* const*>(argv.data()),
             const_cast<char* const*>(envp.data()));
    std::_Exit(127);
  }
  ::close(fds[1]);
  BOOST_TEST_REQUIRE(pid > 0);
  return {pid, fds[0]};
}

// Whether `fd` has something to read (or its end) within a generous deadline.
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 60'000) == 1;
}

// Reads acks until `count` arrived (then kills the child) and on to the end of the pipe.
std::array<std::uint64_t, child_rooms> collect_acks(pid_t child, int fd, std::size_t count) {
  std::array<std::uint64_t, child_rooms> acked{};
  std::size_t received = 0;
  ack a;
  while (readable(fd) && ::read(fd, &a, sizeof a) == static_cast<ssize_t>(sizeof a)) {
    if (a.room < child_rooms) acked[a.room] = std::max(acked[a.room], a.version);
    if (++received == count) ::kill(child, SIGKILL);
  }
  ::kill(child, SIGKILL);  // in case it stalled
  ::close(fd);
  int status = 0;
  ::waitpid(child, &status, 0);
  BOOST_TEST(received >= count);
  BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "child status " << status);
  return acked;
}

}  // namespace

// Run only by a_killed_node_keeps_every_acknowledged_write, in a child process.
BOOST_AUTO_TEST_SUITE(crash_recovery_child, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(crash_child) {
  const char* dir = std::getenv("ROOMS_CRASH_DIR");
  const char* mode = std::getenv("ROOMS_CRASH_MODE");
  const char* fd = std::getenv("ROOMS_CRASH_FD");
  if (!dir || !mode || !fd) return;  // run by hand: nothing to do
  run_child(dir, *parse_durability(mode), std::atoi(fd));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(crash_recovery)

BOOST_DATA_TEST_CASE(a_killed_node_keeps_every_acknowledged_write, bdata::make({"sync", "async"}),
                     mode_name) {
  temp_dir dir;
  const auto [child, fd] = spawn_child(dir.path(), *parse_durability(mode_name));
  const auto acked = collect_acks(child, fd, acks_before_kill);
  auto store = open_ok(dir.path());
  for (std::uint32_t r = 0; r < child_rooms; ++r) {
    auto loaded = store->load(room_name(r));
    BOOST_TEST_REQUIRE(loaded.ok());
    BOOST_TEST_REQUIRE(loaded->has_value(), room_name(r) << " is lost");
    const std::vector<std::uint64_t> stored = versions(**loaded);
    BOOST_TEST(stored.size() >= acked[r], room_name(r) << ": " << acked[r] << " acknowledged");
    BOOST_TEST_MESSAGE(mode_name << ", " << room_name(r) << ": " << acked[r] << " acknowledged, "
                                 << stored.size() << " stored");
    BOOST_TEST(stored == range(1, stored.size()), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
