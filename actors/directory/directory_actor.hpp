// The directory: the one actor of a node that knows which room actor holds which room id.
// Spawned once by the node at start; it generates room ids (UUID v4), spawns room actors,
// forwards every room call to the room's actor, and forgets rooms once they are deleted.
// When it stops, the node is shutting down; room actors it spawned stop with the system.
// Ordering: it forwards calls in the order it receives them, so calls of one gateway on one
// room reach the room actor in the order the gateway sent them.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/node_counters.hpp"
#include "protocol/limits.hpp"

namespace rooms {

struct directory_config {
  std::shared_ptr<const limits> room_limits;
  std::shared_ptr<node_counters> counters;
};

/// Spawns a node's directory. Messages it handles: (create_atom, create_call),
/// (room_call_atom, room_call), (room_gone_atom, room id) from its room actors.
caf::actor spawn_directory(caf::actor_system& system, directory_config config);

}  // namespace rooms
