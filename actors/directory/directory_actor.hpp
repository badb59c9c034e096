// The directory: the one actor of a node that knows which room actor holds which room id.
// Spawned once by the node at start; it generates room ids (UUID v4), spawns room actors,
// forwards every room call to the room's actor, and forgets rooms once they are deleted.
// With persistence it knows stored rooms without loading them: a call for a room that has no
// actor activates it (a point lookup in the store, then a room actor that loads it), and a room
// that hibernates is held back (its calls wait) until its actor has stopped.
// In a cluster (docs/cluster.md) it holds only the rooms placed on its node: it creates rooms
// under ids placed here, forwards calls for other nodes' rooms to their directories (or answers
// `unavailable` while a peer is unreachable), and serves the calls its peers forward to it.
// When it stops, the node is shutting down; room actors it spawned stop with the system.
// Ordering: it forwards calls in the order it receives them, so calls of one gateway on one
// room reach the room actor in the order the gateway sent them.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/cluster/cluster_placement.hpp"
#include "actors/node_counters.hpp"
#include "actors/room/room_persistence.hpp"
#include "actors/storage/room_index.hpp"
#include "protocol/limits.hpp"

namespace rooms {

struct directory_config {
  std::shared_ptr<const limits> room_limits;
  std::shared_ptr<node_counters> counters;
  /// Null for durability `none`: rooms then live in this process only.
  std::shared_ptr<const room_persistence> persistence = nullptr;
  /// Null for a node on its own; otherwise where every room lives.
  std::shared_ptr<const cluster_placement> placement = nullptr;
  /// Durability `none`: how long a room stays idle before it is parked (its actor stops and the
  /// directory keeps its encoded image until the next call activates it again); 0: never.
  std::chrono::milliseconds park_after{0};
  /// Durability `none`: the node's room index in memory (durable nodes keep it in the store).
  /// Null: no index (list answers nothing, nothing expires): tests of other things.
  std::shared_ptr<memory_index> index = nullptr;
  /// How long a `list` waits for a peer's page before naming it `unavailable`.
  std::chrono::milliseconds call_timeout{2000};
  /// How often the timer index is read for rooms whose deadline passed (expiry happens within
  /// this, plus the time to reach the room, of the deadline).
  std::chrono::milliseconds expiry_every{250};
};

/// Spawns a node's directory. Messages it handles: (create_atom, create_call),
/// (room_call_atom, room_call), and from its room actors (room_gone_atom, id),
/// (hibernate_atom, id), (reinstate_atom, id), (parked_atom, id, image); from peer links
/// (peer_up_atom, index, directory) and (peer_down_atom, index); from peers' links
/// (cluster_hello_atom, fingerprint) -> bool; (list_atom, list_call) from gateways and
/// (list_part_atom, query) -> page from peers' directories. It monitors its room actors, and
/// reads the room index for deadlines every config.expiry_every: a due room gets an expiry
/// check (expire_command with due_check) routed like any call, so a hibernated room is
/// activated for it and a parked one unparked.
caf::actor spawn_directory(caf::actor_system& system, directory_config config);

}  // namespace rooms
