// node: the wiring of one roomsd process (actor system, directory, client port) and its
// lifecycle: start, serve until SIGTERM or SIGINT, stop gracefully. See node/README.md.
#pragma once

#include "node/node_options.hpp"

namespace rooms {

/// Runs one node until SIGTERM or SIGINT; prints `roomsd listening on HOST:PORT` to stderr
/// once it accepts requests. On a stop signal it stops accepting, lets every connection get
/// the answers to what it already sent (at most 2 s), and returns 0. Returns 1 when the node
/// cannot start (data directory, address). Call from main, before any other thread exists.
int run_node(const node_options& options);

}  // namespace rooms
