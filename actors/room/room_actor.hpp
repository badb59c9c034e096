// room_actor: one active room of the node. Identity: the room's id; spawned by the directory
// when the room is created, or when a call arrives for a stored room that has no actor.
// It owns one room_state and handles one message at a time, so two backends editing the room at
// once are simply applied one after the other. It keeps the room's subscribers (monitored: a
// subscriber that terminates is dropped) and sends each event to each subscriber in version
// order, after the reply to the call that caused it.
// With persistence, every reply and event waits until the change it shows is stored (the
// journal); a failed write answers `unavailable` and reloads the room from storage. An idle
// room hibernates: it asks the directory, then stops; its state lives on in storage. Without
// storage, an idle room parks the same way: its image lives on in the directory.
// When the room is deleted it tells the directory, answers what the directory forwarded before
// forgetting the room (not_found), then stops; its state goes with it.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/node_counters.hpp"
#include "actors/room/room_persistence.hpp"
#include "actors/room/room_state.hpp"

namespace rooms {

/// Spawns the actor of a room in `state`: just created (version 1), or activated from its
/// parked image. With `persistence`, the room is stored before its creator gets the answer.
/// `directory` is told when the room is deleted or wants to hibernate. Without persistence, a
/// positive `park_after` parks the room after that long idle: its image goes to the directory,
/// and the actor stops. `counters`, if set, counts the room's presence entries and expiries.
/// Without persistence, `index` (if set) is the node's memory index, which the room keeps up
/// to date; `fresh` says the room was just created (not unparked), so it is not in it yet.
caf::actor spawn_room_actor(caf::actor_system& system, room_state state, caf::actor directory,
                            std::shared_ptr<const room_persistence> persistence = nullptr,
                            std::chrono::milliseconds park_after = {},
                            std::shared_ptr<node_counters> counters = nullptr,
                            std::shared_ptr<memory_index> index = nullptr, bool fresh = true);

/// Spawns the actor of a stored room from what the directory's read found (`loaded`, shared
/// with the read's message). A room that cannot be restored answers `unavailable` and asks the
/// directory to forget it. The actor itself reads the store only through persistence->reader
/// (a reload after a failed write).
caf::actor spawn_stored_room_actor(caf::actor_system& system, std::string id,
                                   std::shared_ptr<const limits> room_limits, caf::actor directory,
                                   std::shared_ptr<const room_persistence> persistence,
                                   std::shared_ptr<result<std::optional<stored_room>>> loaded,
                                   std::shared_ptr<node_counters> counters = nullptr);

}  // namespace rooms
