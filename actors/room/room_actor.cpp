// The room actor's behavior: receive a call, let room_state apply it, reply, broadcast.
#include "actors/room/room_actor.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "actors/replies.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

struct room_actor_state {
  static inline const char* name = "room";

  explicit room_actor_state(caf::event_based_actor* owner) : self(owner) {}

  caf::event_based_actor* self;
  std::optional<room_state> room;
  caf::actor directory;
  std::vector<caf::actor> subscribers;

  void handle(room_call& call);
  void subscribe(const caller& from, const subscribe_command& cmd);
  void unsubscribe(const caller& from);
  void reply(const caller& from, const result<json>& answer);
  void broadcast(const json& event);
  void drop_subscriber(const caf::actor_addr& who);
};

void room_actor_state::handle(room_call& call) {
  if (auto* sub = std::get_if<subscribe_command>(&call.command)) return subscribe(call.from, *sub);
  if (std::holds_alternative<unsubscribe_command>(call.command)) return unsubscribe(call.from);
  const bool was_deleted = room->deleted();
  auto outcome = [&]() -> result<room_outcome> {
    return std::visit(
        [&](auto& cmd) -> result<room_outcome> {
          using command_type = std::decay_t<decltype(cmd)>;
          if constexpr (std::is_same_v<command_type, join_command>)
            return room->join(cmd);
          else if constexpr (std::is_same_v<command_type, leave_command>)
            return room->leave(cmd);
          else if constexpr (std::is_same_v<command_type, edit_command>)
            return room->edit(std::move(cmd));
          else if constexpr (std::is_same_v<command_type, delete_command>)
            return room->remove(cmd);
          else
            return room->get();
        },
        call.command);
  }();
  // The reply goes out before the event, so a subscribed caller sees its answer first. A
  // storage step that must finish before either goes out belongs exactly here.
  reply(call.from,
        outcome.ok() ? result<json>{std::move(outcome->result)} : result<json>{outcome.error()});
  if (outcome.ok() && outcome->change) broadcast(outcome->change->event);
  if (!was_deleted && room->deleted()) {
    for (auto& sub : subscribers) self->demonitor(sub);
    subscribers.clear();
    self->send(directory, room_gone_atom::value, room->id());
  }
}

void room_actor_state::subscribe(const caller& from, const subscribe_command& cmd) {
  auto outcome = room->subscribe(cmd);
  call_reply answer = encode_reply(from, outcome.ok() ? result<json>{std::move(outcome->result)}
                                                      : result<json>{outcome.error()});
  if (outcome.ok()) {
    if (std::find(subscribers.begin(), subscribers.end(), from.reply_to) == subscribers.end()) {
      subscribers.push_back(from.reply_to);
      self->monitor(from.reply_to);
    }
    answer.subscribed_room = room->id();
    answer.subscribed_version = room->version();
  }
  // Sent even when the caller wants no reply: it must learn that it now follows the room.
  self->send(from.reply_to, reply_atom::value, std::move(answer));
}

void room_actor_state::unsubscribe(const caller& from) {
  auto it = std::find(subscribers.begin(), subscribers.end(), from.reply_to);
  if (it != subscribers.end()) {
    self->demonitor(*it);
    subscribers.erase(it);
  }
  reply(from, json{{"room", room->id()}, {"subscribed", false}});
}

void room_actor_state::reply(const caller& from, const result<json>& answer) {
  if (!from.wants_reply || !from.reply_to) return;
  self->send(from.reply_to, reply_atom::value, encode_reply(from, answer));
}

void room_actor_state::broadcast(const json& event) {
  if (subscribers.empty()) return;
  room_event ev;
  ev.room = room->id();
  ev.version = event["version"].get<std::uint64_t>();
  ev.deleted = event["type"] == "deleted";
  ev.frame = encode_notification("event", event);
  // One message shared by every subscriber: the frame is encoded and stored once.
  auto msg = caf::make_message(event_atom::value, std::move(ev));
  for (auto& sub : subscribers) self->send(sub, msg);
}

void room_actor_state::drop_subscriber(const caf::actor_addr& who) {
  subscribers.erase(std::remove_if(subscribers.begin(), subscribers.end(),
                                   [&](const caf::actor& sub) { return sub.address() == who; }),
                    subscribers.end());
}

caf::behavior room_actor(caf::stateful_actor<room_actor_state>* self, room_state initial,
                         caf::actor directory) {
  self->state.room.emplace(std::move(initial));
  self->state.directory = std::move(directory);
  self->set_down_handler([self](caf::down_msg& msg) { self->state.drop_subscriber(msg.source); });
  return {
      [self](room_call_atom, room_call& call) { self->state.handle(call); },
      // The directory created this room and asks it to answer its creator.
      [self](create_atom, const caller& from) {
        self->state.reply(from, self->state.room->snapshot());
      },
      // The directory has forgotten this deleted room; nothing more can arrive.
      [self](room_gone_atom) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& system, room_state state, caf::actor directory) {
  return system.spawn(room_actor, std::move(state), std::move(directory));
}

}  // namespace rooms
