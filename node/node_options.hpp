// node_options: roomsd's options (docs/protocol.md and node/README.md), parsed from the
// command line and from an optional configuration file in CAF's INI format, section [rooms].
// The command line wins over the file. Every error names the option (and file), and the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/cluster/cluster_placement.hpp"
#include "actors/room/room_journal.hpp"
#include "actors/storage/durability.hpp"
#include "node/log.hpp"
#include "protocol/limits.hpp"
#include "protocol/result.hpp"
#include "protocol/tls/tls.hpp"

namespace rooms {

/// How CAF's workers take the actors that have messages (node/README.md, "Threads").
enum class scheduler_policy {
  sharing,   // one FIFO queue for all workers: fair, so no request waits behind later ones
  stealing,  // a LIFO queue per worker, idle workers steal: more locality, a long latency tail
  pinned,    // each actor on one worker (by its id), FIFO per worker, no stealing, no wakeup
             // for work a worker hands itself (node/pinned_policy.hpp)
  local      // the default: each worker owns a share of the sockets (its reactor), an actor
             // woken by an actor runs on the waker's worker, FIFO per worker, idle workers
             // steal (node/local_policy.hpp)
};

struct node_options {
  std::string host = "127.0.0.1";
  /// 0 picks a free port; the node prints the one it got.
  std::uint16_t port = 7420;
  /// Must exist (a missing data dir is an error, never a new empty store); see
  /// docs/operations.md.
  std::string data_dir = "./rooms-data";
  /// When an acknowledged change is on disk: sync (before the answer), async (within a
  /// second), none (memory only, nothing is read or written).
  durability durability_mode = durability::sync;
  /// When a room's stored events are folded into a new image.
  fold_policy folding;
  /// How long a room stays idle (no subscribers, no calls) before it hibernates.
  std::uint64_t hibernate_after_ms = 60000;
  /// When not empty, connections must start with `hello` and one of these tokens.
  std::vector<std::string> tokens;
  /// Protected mode's escape hatch: listen on a non-loopback address without tokens
  /// (docs/security.md). Off: such a configuration stops the node at start.
  bool allow_unauthenticated_remote = false;
  /// The client port's TLS: cert and key make it speak TLS only; ca also requires client
  /// certificates signed by it. Empty: plaintext.
  tls_files client_tls;
  /// The cluster port's mutual TLS: all three or none.
  tls_files cluster_tls;
  /// Cluster nodes off loopback without cluster TLS: refused at start unless this is set.
  bool allow_insecure_cluster = false;
  limits node_limits;
  /// How long a backend may take to send one message, or to authenticate when tokens are
  /// required, before its connection is closed (a slow-sender guard; node/README.md).
  std::uint64_t message_timeout_ms = 30000;
  log_level level = log_level::info;
  /// Threads that own the sockets (their reactors) unless the workers do (--scheduler local).
  std::size_t io_threads = 1;
  /// CAF's worker threads (scheduler.max-threads), which run every actor; 0 means one more
  /// than the machine's cores (default_worker_threads()).
  std::size_t worker_threads = 0;
  /// How long events for one connection may wait to leave with later ones, in microseconds:
  /// under load each subscriber's socket then gets one send per period instead of many small
  /// ones (an event after a quiet spell leaves at once); 0 sends them with every round.
  std::uint64_t event_flush_us = 1000;
  /// The same for the answers of a connection that still waits on more of its calls (a
  /// pipeline): they leave together, once per period at most, or with the last of them.
  std::uint64_t answer_flush_us = 2000;
  /// CAF's scheduler, and who owns the sockets: the workers (local) or --io-threads threads.
  scheduler_policy scheduler = scheduler_policy::local;
  /// The `node` member of ping/hello/stats; empty means "roomsd@HOST:PORT" once bound.
  std::string node_name;
  /// Every node of the cluster, this one included (found by node_name); empty for a node on
  /// its own. See docs/cluster.md.
  std::vector<cluster_node> cluster_nodes;
  /// How long a call on a room held by another node may wait before it gets `unavailable`.
  std::uint64_t call_timeout_ms = 2000;
  /// How long a peer may stay silent (no data, no heartbeat) before its connection is dropped;
  /// heartbeats go out four times per period.
  std::uint64_t peer_timeout_ms = 5000;
  /// --help was given: print node_options_help() and exit.
  bool show_help = false;
  /// --check-config was given: the options are valid; print node_options_summary() and exit.
  bool check_only = false;
};

/// Parses `argv` (and the file named by --config). Errors: invalid_argument, with a message
/// naming the option or file key and the offending value.
result<node_options> parse_node_options(int argc, const char* const* argv);

/// One line saying what a node with these options would be (--check-config prints it).
std::string node_options_summary(const node_options& options);

/// The text --help prints.
std::string node_options_help();

/// The worker threads a node runs with `worker_threads` 0: one more than the cores, because a
/// gateway sends its answers from its worker, and a worker in a send system call would
/// otherwise leave a core without work.
std::size_t default_worker_threads();

}  // namespace rooms
