// The internal API between gateways, the directory and room actors: the atoms and message
// types every actor of a node understands. Ordering: messages from one actor to another arrive
// in the order they were sent (CAF's guarantee). A room call travels gateway -> directory ->
// room (in a cluster: gateway -> directory -> the holding node's directory -> room) until the
// room grants its gateway direct calls; from then on, and until the room revokes the grant,
// the gateway sends straight to the room actor, but only while none of its calls on that room
// through the directory is unanswered. So calls of one connection on one room keep their order
// (docs/architecture.md, "Direct calls").
// The types that cross nodes (caller, room_call, call_reply, room_event) have an inspect()
// below; add_message_types() registers them under the same names on every node.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include "actors/directory/room_key.hpp"
#include "protocol/command_codec.hpp"
#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"
#include "protocol/result.hpp"
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
/// room actor -> directory, durability `none`, instead of stopping plainly after hibernation
/// was granted: (parked_atom, room id, its image by encode_room_image, with an empty id). The
/// directory keeps the bytes and activates the room from them on the next call.
using parked_atom = caf::atom_constant<caf::atom("parked")>;
/// store reader -> directory or room actor: (loaded_atom, ...), a read it asked for is done
/// (directory_actor.cpp, room_actor.cpp).
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
/// room actor -> itself, every idle timeout: (idle_tick_atom).
using idle_tick_atom = caf::atom_constant<caf::atom("idle_tick")>;
/// room actor -> itself, when its earliest presence entry with a TTL may have run out.
using presence_tick_atom = caf::atom_constant<caf::atom("pres_tick")>;
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

/// gateway -> directory: (list_atom, list_call): a `list`, answered for the whole cluster.
using list_atom = caf::atom_constant<caf::atom("list")>;
/// directory -> a peer's directory: (list_part_atom, query as MessagePack params) -> its page
/// (encode_list_page), for a `list` taken by the asker.
using list_part_atom = caf::atom_constant<caf::atom("list_part")>;
/// reader (or the directory itself, without storage) -> directory: (list_read_atom,
/// list_read), a page of the node's own index.
using list_read_atom = caf::atom_constant<caf::atom("list_read")>;
/// directory -> itself, periodically: (expiry_tick_atom), time to look for due deadlines;
/// reader -> directory: (expiry_tick_atom, due_read), what it found.
using expiry_tick_atom = caf::atom_constant<caf::atom("exp_tick")>;

/// peer link -> directory: (peer_up_atom, node index, the peer's directory) once the peer is
/// connected and agreed on the cluster's node list; (peer_down_atom, node index) when it is lost.
using peer_up_atom = caf::atom_constant<caf::atom("peer_up")>;
using peer_down_atom = caf::atom_constant<caf::atom("peer_down")>;
/// peer link -> a peer's directory: (cluster_hello_atom, fingerprint) -> bool, true when both
/// nodes place rooms alike (cluster_placement::fingerprint).
using cluster_hello_atom = caf::atom_constant<caf::atom("cl_hello")>;
/// peer link -> itself: (reconnect_atom), time to try connecting again.
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
/// gateway -> itself: (expire_atom), when the earliest call to another node may be overdue.
using expire_atom = caf::atom_constant<caf::atom("expire")>;
/// room actor -> a gateway it granted direct calls: the request (revoke_atom, room id), answered
/// with (revoke_atom) once the gateway sends that room's calls through the directory again.
/// Every direct call the gateway made before it answered is then in the room's mailbox.
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;

/// Who asked, and how to answer. A notification from a backend wants no reply, but its side
/// effects (a subscription) still happen.
struct caller {
  caf::actor reply_to;
  std::uint32_t msgid = 0;
  bool wants_reply = true;
  /// The gateway sent the call straight to the room actor (a grant it holds), not through the
  /// directory. Never crosses nodes: direct calls stay on one node.
  bool direct = false;
};

struct room_call {
  caller from;
  room_command command;
};

struct create_call {
  caller from;
  create_command command;
};

struct list_call {
  caller from;
  list_query query;
};

struct list_page;
struct due_room;

/// A page read from this node's index for the list call (or the peer's request) `ticket`.
struct list_read {
  std::uint64_t ticket = 0;
  std::shared_ptr<result<list_page>> page;
};

/// The rooms whose deadline passed, read from the node's timer index.
struct due_read {
  std::shared_ptr<result<std::vector<due_room>>> due;
  /// When it was read (Unix ms).
  std::uint64_t now_ms = 0;
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
  /// With `subscribed_room`: the room actor that will send the events. A gateway watches the
  /// ones on other nodes, to tell its backend when such a room becomes unreachable.
  caf::actor holder;
  /// Set when the room grants the caller's gateway (on the same node) direct calls: later
  /// calls may go straight to this actor until it revokes the grant. Never crosses nodes.
  caf::actor grant;
};

/// One change of a room, sent to each subscriber. `frame` is the complete notification
/// `[2, "event", [map]]`, encoded once and shared by every subscriber.
struct room_event {
  std::string room;
  std::uint64_t version = 0;
  bool deleted = false;
  std::string frame;
  /// `room` as its 16 bytes (zero if it is not a canonical id): made once by the room for every
  /// subscriber's lookup, and again by a node that receives the event from another.
  room_key key;
  /// A `presence` notification (docs/protocol.md, Presence): `version` is the room's version
  /// when it was made, which it does not move.
  bool presence = false;
};

/// How a room's write ended: stored, or the storage error.
struct write_outcome {
  std::optional<rooms_error> error;
};

struct stored_room;

/// What the store reader found for a room (store_reader.hpp): its record, nullopt if it is not
/// stored, or the read's error. `ticket` tells the asker which of its reads this answers.
struct load_outcome {
  std::string room;
  std::uint64_t ticket = 0;
  std::shared_ptr<result<std::optional<stored_room>>> loaded;
};

/// Whether a room id is stored (the directory's check before it creates a room under it).
struct exists_outcome {
  std::uint64_t ticket = 0;
  std::shared_ptr<const result<bool>> found;
};

/// Registers the types above that cross nodes, under the same names on every node (CAF drops
/// a message whose type the receiving node does not know).
void add_message_types(caf::actor_system_config& config);

// -- serialization (CAF 0.17 inspectors) -----------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, caller& x) {
  return f(caf::meta::type_name("caller"), x.reply_to, x.msgid, x.wants_reply);
}

/// Deepest value a forwarded command may hold: the receiving node checks its own limit when it
/// applies the command; this only bounds decoding (max_depth accepts at most 512).
inline constexpr std::size_t forwarded_command_depth = 520;

/// The command travels in its wire form and is read by the same parser as a backend's request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_call& x) {
  std::string bytes;
  if constexpr (Inspector::reads_state) {
    bytes = encode_room_command(x.command);
    return f(caf::meta::type_name("room_call"), x.from, bytes);
  } else {
    auto decode = caf::meta::load_callback([&]() -> caf::error {
      auto command = decode_room_command(bytes, forwarded_command_depth);
      if (!command) return caf::make_error(caf::sec::invalid_argument, command.error().message);
      x.command = std::move(*command);
      return caf::none;
    });
    return f(caf::meta::type_name("room_call"), x.from, bytes, decode);
  }
}

/// std::optional as a flag and a value (CAF 0.17 knows only caf::optional).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_reply& x) {
  bool has_error = x.error.has_value();
  auto error = static_cast<std::uint8_t>(x.error.value_or(error_code::internal));
  bool subscribed = x.subscribed_room.has_value();
  std::string room = x.subscribed_room.value_or(std::string{});
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    const auto code = std::min(error, static_cast<std::uint8_t>(error_code::internal));
    x.error = has_error ? std::optional<error_code>{static_cast<error_code>(code)} : std::nullopt;
    x.subscribed_room = subscribed ? std::optional<std::string>{std::move(room)} : std::nullopt;
    return caf::none;
  });
  return f(caf::meta::type_name("call_reply"), x.msgid, x.frame, has_error, error, subscribed, room,
           x.subscribed_version, x.holder, restore);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_event& x) {
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    x.key = room_key::of(x.room).value_or(room_key{});
    return caf::none;
  });
  return f(caf::meta::type_name("room_event"), x.room, x.version, x.deleted, x.presence, x.frame,
           restore);
}

}  // namespace rooms

// Messages that never leave their node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::create_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::list_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::list_read)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::due_read)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::write_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::load_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rooms::exists_outcome)
