// The room actor's behavior: each message goes to room_actor_state (room_actor_state.cpp).
#include "actors/room/room_actor.hpp"

#include <caf/all.hpp>

#include "actors/room/room_actor_state.hpp"

namespace rooms {

namespace {

using room_actor_type = caf::stateful_actor<room_actor_state>;

caf::behavior room_behavior(room_actor_type* self) {
  self->set_down_handler([self](caf::down_msg& msg) { self->state.drop_subscriber(msg.source); });
  return {
      [self](room_call_atom, room_call& call) { self->state.handle(call); },
      // The directory created this room and asks it to answer its creator.
      [self](create_atom, const caller& from) { self->state.answer_creator(from); },
      [self](stored_atom, const write_outcome& outcome) { self->state.stored(outcome); },
      [self](loaded_atom, const load_outcome& outcome) { self->state.reloaded(outcome); },
      [self](idle_tick_atom) { self->state.idle_tick(); },
      [self](hibernate_atom) { self->state.hibernation_granted(); },
      // The directory has forgotten this room (deleted, or not loadable): nothing more arrives
      // through it, and the room stops once no gateway may call it directly.
      [self](room_gone_atom) { self->state.directory_forgot(); },
  };
}

caf::behavior created_room_actor(room_actor_type* self, room_state state, caf::actor directory,
                                 std::shared_ptr<const room_persistence> persistence,
                                 std::chrono::milliseconds park_after) {
  self->state.start_created(std::move(state), std::move(directory), std::move(persistence),
                            park_after);
  return room_behavior(self);
}

caf::behavior stored_room_actor(room_actor_type* self, std::string id,
                                std::shared_ptr<const limits> room_limits, caf::actor directory,
                                std::shared_ptr<const room_persistence> persistence,
                                std::shared_ptr<result<std::optional<stored_room>>> loaded) {
  self->state.start_stored(id, std::move(room_limits), std::move(directory), std::move(persistence),
                           *loaded);
  return room_behavior(self);
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& system, room_state state, caf::actor directory,
                            std::shared_ptr<const room_persistence> persistence,
                            std::chrono::milliseconds park_after) {
  return system.spawn(created_room_actor, std::move(state), std::move(directory),
                      std::move(persistence), park_after);
}

caf::actor spawn_stored_room_actor(caf::actor_system& system, std::string id,
                                   std::shared_ptr<const limits> room_limits, caf::actor directory,
                                   std::shared_ptr<const room_persistence> persistence,
                                   std::shared_ptr<result<std::optional<stored_room>>> loaded) {
  return system.spawn(stored_room_actor, std::move(id), std::move(room_limits),
                      std::move(directory), std::move(persistence), std::move(loaded));
}

}  // namespace rooms
