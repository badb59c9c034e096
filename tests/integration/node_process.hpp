// node_process: a real roomsd started for a test (fork/exec of build/bin/roomsd with --port 0
// and a fresh data directory), its stderr collected, and always stopped at the end.
// With ROOMS_TEST_NODES=PORT,PORT,... set, it starts nothing and stands for those running nodes
// instead (the nodes of a cluster, tests/cluster/): each connect() goes to the next of them, so
// that the clients of one test talk to different nodes. Only the test cases labelled
// `cluster` run that way (they use default options and never stop the node).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protocol/client/rooms_client.hpp"

namespace rooms::testing {

using namespace std::chrono_literals;

/// The exit of a process started by run_roomsd or node_process::stop.
struct process_exit {
  /// The exit code, or nothing if it was killed by a signal or did not end in time.
  std::optional<int> code;
  std::string output;
};

/// Runs roomsd with `args` to its end (e.g. a bad option), at most `timeout`.
process_exit run_roomsd(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = 10s);

class node_process {
 public:
  /// Starts `roomsd --host 127.0.0.1 --port 0 --data-dir TMP <extra_args>` and waits (at most
  /// 20 s) for its `listening on` line. Fails the test if it does not come.
  explicit node_process(std::vector<std::string> extra_args = {});
  /// Kills the node if it still runs, and removes its data directory.
  ~node_process();

  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  /// A client connected to this node (fails the test if it cannot connect); with
  /// ROOMS_TEST_NODES, to the next of those nodes.
  rooms_client connect() const;

  /// Sends `signal` and waits at most `timeout` for the exit.
  process_exit stop(int signal, std::chrono::milliseconds timeout = 10s);

  /// What the node wrote to stderr so far.
  std::string output() const;

 private:
  std::string temp_dir_;
  std::string data_dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  /// ROOMS_TEST_NODES: the external nodes, and which one the next connect() uses.
  std::vector<std::uint16_t> external_ports_;
  mutable std::size_t next_external_ = 0;
  int stderr_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable output_grew_;
  std::string output_;
  bool output_closed_ = false;

  void read_output();
  std::optional<std::uint16_t> wait_for_port(std::chrono::milliseconds timeout);
};

}  // namespace rooms::testing
