// Starting, watching and stopping a real roomsd for the integration tests.
#include "tests/integration/node_process.hpp"
#include "tests/integration/raw_socket.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include <boost/test/unit_test.hpp>

namespace rooms::testing {

namespace {

struct spawned {
  pid_t pid = -1;
  int stderr_fd = -1;
};

// Starts roomsd with `args`; its stderr (and stdout) go to the returned pipe.
spawned spawn_roomsd(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  std::vector<std::string> argv_strings{ROOMSD_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 2);
    ::dup2(fds[1], 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return {};
  }
  return {pid, fds[0]};
}

// Waits at most `timeout` for `pid` to end; its exit code, if it exited.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout, bool& ended) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      ended = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return std::nullopt;
    }
    if (done < 0 || std::chrono::steady_clock::now() >= deadline) {
      ended = false;
      return std::nullopt;
    }
    std::this_thread::sleep_for(5ms);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0)
      out.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  return out;
}

}  // namespace

process_exit run_roomsd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  spawned child = spawn_roomsd(args);
  BOOST_REQUIRE_MESSAGE(child.pid > 0, "cannot start " ROOMSD_PATH);
  bool ended = false;
  process_exit result;
  result.code = wait_exit(child.pid, timeout, ended);
  if (!ended) {
    ::kill(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
  }
  result.output = read_all(child.stderr_fd);
  ::close(child.stderr_fd);
  return result;
}

namespace {

std::vector<std::uint16_t> external_nodes() {
  std::vector<std::uint16_t> ports;
  const char* list = std::getenv("ROOMS_TEST_NODES");
  if (list == nullptr) return ports;
  std::stringstream items{list};
  for (std::string item; std::getline(items, item, ',');)
    if (!item.empty()) ports.push_back(static_cast<std::uint16_t>(std::stoi(item)));
  return ports;
}

}  // namespace

node_process::node_process(std::vector<std::string> extra_args)
    : external_ports_(external_nodes()) {
  if (!external_ports_.empty()) {
    BOOST_REQUIRE_MESSAGE(extra_args.empty(), "an external node cannot take options");
    // Each test starts on another node, so every node opens some test.
    static std::size_t tests_so_far = 0;
    next_external_ = tests_so_far++;
    port_ = external_ports_[next_external_ % external_ports_.size()];
    return;
  }
  char pattern[] = "/tmp/rooms-it-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(pattern) != nullptr);
  temp_dir_ = pattern;
  // The data dir is the temp dir itself: roomsd refuses a missing one.
  data_dir_ = temp_dir_;
  std::vector<std::string> args{"--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  spawned child = spawn_roomsd(args);
  BOOST_REQUIRE_MESSAGE(child.pid > 0, "cannot start " ROOMSD_PATH);
  pid_ = child.pid;
  stderr_fd_ = child.stderr_fd;
  reader_ = std::thread([this] { read_output(); });
  auto port = wait_for_port(20s);
  BOOST_REQUIRE_MESSAGE(port, "roomsd did not report its port; it wrote: " << output());
  port_ = *port;
}

node_process::~node_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
  std::error_code ignored;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
}

void node_process::read_output() {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(stderr_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    if (n <= 0) {
      output_closed_ = true;
      output_grew_.notify_all();
      return;
    }
    output_.append(buffer, static_cast<std::size_t>(n));
    output_grew_.notify_all();
  }
}

std::optional<std::uint16_t> node_process::wait_for_port(std::chrono::milliseconds timeout) {
  static const std::regex listening{R"(roomsd listening on 127\.0\.0\.1:(\d+))"};
  std::unique_lock<std::mutex> lock(mutex_);
  std::smatch match;
  bool found = output_grew_.wait_for(lock, timeout, [&] {
    return std::regex_search(output_, match, listening) || output_closed_;
  });
  if (!found || match.empty()) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoi(match[1].str()));
}

rooms_client node_process::connect() const {
  std::uint16_t port = port_;
  if (!external_ports_.empty()) port = external_ports_[next_external_++ % external_ports_.size()];
  auto client = rooms_client::connect("127.0.0.1", port, rooms_client::default_timeout, {},
                                      test_client_tls());
  // Boost.Test builds the message even when the check passes.
  BOOST_REQUIRE_MESSAGE(client.ok(),
                        "cannot connect: " << (client.ok() ? "" : client.error().message));
  return std::move(*client);
}

process_exit node_process::stop(int signal, std::chrono::milliseconds timeout) {
  BOOST_REQUIRE_MESSAGE(external_ports_.empty(), "an external node is not the test's to stop");
  process_exit result;
  if (pid_ <= 0) return result;
  ::kill(pid_, signal);
  bool ended = false;
  result.code = wait_exit(pid_, timeout, ended);
  if (ended) pid_ = -1;
  result.output = output();
  return result;
}

std::string node_process::output() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return output_;
}

}  // namespace rooms::testing
