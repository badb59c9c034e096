// The internal API between gateways, the directory and room actors: the atoms and message
// types every actor of a node understands. Ordering: messages from one actor to another arrive
// in the order they were sent (CAF's guarantee), and every room call travels
// gateway -> directory -> room, so calls of one connection on one room keep their order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"
#include "protocol/rooms_error.hpp"

namespace rooms {

/// gateway -> directory -> room actor: (room_call_atom, room_call).
using room_call_atom = caf::atom_constant<caf::atom("room_call")>;
/// group writer -> room actor: (stored_atom, write_outcome), when its write in flight ended.
using stored_atom = caf::atom_constant<caf::atom("stored")>;
/// room actor -> directory: (hibernate_atom, room id), when the room has been idle. The
/// directory holds back new calls for the room and answers (hibernate_atom); the room actor then
/// stops if it is still idle, or answers (reinstate_atom) if calls made it busy again.
using hibernate_atom = caf::atom_constant<caf::atom("hibernate")>;
using reinstate_atom = caf::atom_constant<caf::atom("reinstate")>;
/// room actor -> itself, every idle timeout: (idle_tick_atom).
using idle_tick_atom = caf::atom_constant<caf::atom("idle_tick")>;
/// gateway -> directory: (create_atom, create_call); directory -> new room actor:
/// (create_atom, caller), to answer the creator.
using create_atom = caf::atom_constant<caf::atom("create")>;
/// room actor or directory -> gateway: (reply_atom, call_reply).
using reply_atom = caf::atom_constant<caf::atom("reply")>;
/// room actor -> subscriber: (event_atom, room_event).
using event_atom = caf::atom_constant<caf::atom("event")>;
/// room actor -> directory after its deletion: (room_gone_atom, room id). The directory
/// answers (room_gone_atom) once it has forgotten the room: every call it forwarded before is
/// then in the room actor's mailbox, so the room actor can answer them and stop.
using room_gone_atom = caf::atom_constant<caf::atom("room_gone")>;

/// Who asked, and how to answer. A notification from a backend wants no reply, but its side
/// effects (a subscription) still happen.
struct caller {
  caf::actor reply_to;
  std::uint32_t msgid = 0;
  bool wants_reply = true;
};

struct room_call {
  caller from;
  room_command command;
};

struct create_call {
  caller from;
  create_command command;
};

/// The answer to one call, already encoded as its wire frame `[1, msgid, error, result]`
/// (empty when the caller wanted no reply).
struct call_reply {
  std::uint32_t msgid = 0;
  std::string frame;
  /// The error code of a failed call, for the node's counters.
  std::optional<error_code> error;
  /// Set when a subscribe succeeded: the subscriber relays this room's events with versions
  /// above `subscribed_version` from now on.
  std::optional<std::string> subscribed_room;
  std::uint64_t subscribed_version = 0;
};

/// One change of a room, sent to each subscriber. `frame` is the complete notification
/// `[2, "event", [map]]`, encoded once and shared by every subscriber.
struct room_event {
  std::string room;
  std::uint64_t version = 0;
  bool deleted = false;
  std::string frame;
};

/// How a room's write ended: stored, or the storage error.
struct write_outcome {
  std::optional<rooms_error> error;
};

}  // namespace rooms

// Local messages for now: the cluster issue gives them inspect() and registers them.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::caller)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::room_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::create_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::call_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::room_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::write_outcome)
