// bench_options: the command line of rooms-bench (see docs/benchmarks.md for what each knob
// means for a measurement).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "protocol/client/client_stream.hpp"

namespace rooms::bench {

struct bench_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7420;
  /// edit, fanout, presence, churn, bigroom, rooms or list (docs/benchmarks.md).
  std::string workload = "edit";
  /// The server: rooms, redis (edit and fanout only) or echo (edit only; see echo_server.hpp).
  std::string target = "rooms";
  /// fanout and presence: connections subscribed to every room.
  int subscribers = 0;
  /// fanout on Rooms: the subscribers subscribe with `patch: true`.
  bool patch = false;
  /// rooms: the node's process id, whose RSS /proc/<pid>/status reports.
  int node_pid = 0;
  /// bigroom: the largest room data, in MiB (the run steps 1 KiB, 1 MiB, then this).
  int bigroom_mib = 10;
  /// Connections driven by the one event loop.
  int connections = 50;
  /// Requests kept in flight on each connection.
  int depth = 1;
  /// Rooms created at setup; each edit picks one at random.
  int rooms = 1000;
  double seconds = 10;
  /// Load runs this long before measuring, so connection setup and cold rooms are not counted.
  double warmup_seconds = 1;
  /// Size of the string each edit stores; 0 stores an integer instead.
  int value_bytes = 8;
  /// Also print the results as one JSON line.
  bool json = false;
  /// list: the rooms exist already (an earlier run created them); measure only.
  bool no_setup = false;
  /// --tls, --tls-ca, --tls-cert, --tls-key: every connection (setup and load) speaks TLS.
  client_tls_settings tls_settings;
  /// Made from tls_settings once parsed; null: plaintext.
  std::shared_ptr<const tls_context> tls;
};

/// Parses argv; on a bad or unknown option, the message to print (with the usage).
std::optional<bench_options> parse_bench_options(int argc, char** argv, std::string& error);

/// The usage text.
std::string bench_usage();

}  // namespace rooms::bench
