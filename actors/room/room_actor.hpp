// room_actor: one room of the node. Identity: the room's id; spawned by the directory when the
// room is created. It owns one room_state and handles one message at a time, so two backends
// editing the room at once are simply applied one after the other. It keeps the room's
// subscribers (monitored: a subscriber that terminates is dropped) and sends each event to
// each subscriber in version order, after the reply to the call that caused it.
// When the room is deleted it tells the directory, answers what the directory forwarded before
// forgetting the room (not_found), then stops; its state goes with it.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/room/room_state.hpp"

namespace rooms {

/// Spawns the actor for a room that `state` already holds (a new room, or later a restored
/// one). `directory` is told (room_gone_atom, id) once the room is deleted.
caf::actor spawn_room_actor(caf::actor_system& system, room_state state, caf::actor directory);

}  // namespace rooms
