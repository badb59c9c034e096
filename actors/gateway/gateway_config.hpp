// gateway_config: what every gateway of a node shares (limits, counters, tokens, names).
// Built once by the node; see docs in node/README.md for the options behind it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/cluster/cluster_placement.hpp"
#include "actors/node_counters.hpp"
#include "protocol/limits.hpp"

namespace rooms {

struct gateway_config {
  /// Receives (create_atom, create_call) and (room_call_atom, room_call).
  caf::actor directory;
  std::shared_ptr<const limits> node_limits;
  std::shared_ptr<node_counters> counters;
  /// When not empty, a connection's first request must be `hello` with one of these.
  std::vector<std::string> tokens;
  /// The `node` member of `ping`, `hello` and `stats` results.
  std::string node_name;
  /// The `server` member of the `hello` result.
  std::string server_name;
  /// Null for a node on its own. In a cluster: which rooms other nodes hold.
  std::shared_ptr<const cluster_placement> placement;
  /// The longest a call on another node's room waits before it is answered `unavailable`.
  std::chrono::milliseconds call_timeout{2000};
};

}  // namespace rooms
