// The directory's behavior: create rooms, route calls to room actors, forget deleted rooms.
#include "actors/directory/directory_actor.hpp"

#include <string>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/directory/room_id.hpp"
#include "actors/messages.hpp"
#include "actors/replies.hpp"
#include "actors/room/room_actor.hpp"

namespace rooms {

namespace {

struct directory_state {
  static inline const char* name = "directory";

  explicit directory_state(caf::event_based_actor* owner) : self(owner) {}

  caf::event_based_actor* self;
  directory_config config;
  std::unordered_map<std::string, caf::actor> rooms;

  void create(create_call& call);
  void route(room_call& call);
  void forget(const std::string& id);
  void reply(const caller& from, const result<json>& answer);
};

void directory_state::create(create_call& call) {
  std::string id = new_room_id();
  while (rooms.count(id) != 0) id = new_room_id();
  auto state = room_state::create(id, std::move(call.command), config.room_limits);
  if (!state) return reply(call.from, state.error());
  auto room = spawn_room_actor(self->system(), std::move(*state), caf::actor{self});
  rooms.emplace(std::move(id), room);
  config.counters->rooms.fetch_add(1, std::memory_order_relaxed);
  // The room actor answers the creation, so that answer waits for whatever a change waits for.
  self->send(room, create_atom::value, std::move(call.from));
}

void directory_state::route(room_call& call) {
  const std::string& id = room_of(call.command);
  if (auto it = rooms.find(id); it != rooms.end()) {
    self->send(it->second, room_call_atom::value, std::move(call));
    return;
  }
  if (std::holds_alternative<unsubscribe_command>(call.command))
    return reply(call.from, json{{"room", id}, {"subscribed", false}});
  reply(call.from, rooms_error{error_code::not_found, "room " + id + " does not exist"});
}

void directory_state::forget(const std::string& id) {
  auto it = rooms.find(id);
  if (it == rooms.end()) return;
  // Everything this directory forwarded to the room is now ahead of this answer in its mailbox.
  self->send(it->second, room_gone_atom::value);
  rooms.erase(it);
  config.counters->rooms.fetch_sub(1, std::memory_order_relaxed);
}

void directory_state::reply(const caller& from, const result<json>& answer) {
  if (!from.wants_reply || !from.reply_to) return;
  self->send(from.reply_to, reply_atom::value, encode_reply(from, answer));
}

caf::behavior directory_actor(caf::stateful_actor<directory_state>* self, directory_config config) {
  self->state.config = std::move(config);
  return {
      [self](create_atom, create_call& call) { self->state.create(call); },
      [self](room_call_atom, room_call& call) { self->state.route(call); },
      [self](room_gone_atom, const std::string& id) { self->state.forget(id); },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& system, directory_config config) {
  return system.spawn(directory_actor, std::move(config));
}

}  // namespace rooms
