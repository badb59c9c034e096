// The rules of a room actor (room_actor.hpp): the room, its subscribers, the outbox of replies
// and events that wait for the room's changes to be stored, grants of direct calls, and the
// hibernation handshake. A plain class: each message goes in, the effects the actor must carry
// out come out (room_effect), in order. Tests drive it without running an actor
// (tests/actors/room_actor_state_test.cpp).
#pragma once

#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/message.hpp>
#include <caf/node_id.hpp>

#include "actors/messages.hpp"
#include "actors/room/compact_queue.hpp"
#include "actors/room/presence_table.hpp"
#include "actors/room/room_journal.hpp"
#include "actors/room/room_persistence.hpp"
#include "actors/room/room_state.hpp"

namespace rooms {

/// A gateway that follows the room; `patch`: its subscription asked for `patch: true`.
struct room_subscriber {
  caf::actor who;
  bool patch = false;
};

using room_subscribers = std::vector<room_subscriber>;

namespace room_effects {

/// Send `answer` to the caller's gateway; `grant`: the room grants that gateway direct calls
/// (answer.grant = the room actor); `holder`: a subscription, held by the room actor.
struct reply {
  caf::actor to;
  call_reply answer;
  bool grant = false;
  bool holder = false;
};
/// Send `event` to every subscriber in `to` (a snapshot of the subscribers when it was
/// released); those that asked for patches get `patch_event` instead when it is set. `event`
/// is empty when every subscriber takes `patch_event`.
struct broadcast {
  std::shared_ptr<const room_subscribers> to;
  caf::message event;
  caf::message patch_event = {};
};
/// Watch a subscriber (its down message ends its subscription), or stop watching it.
struct monitor {
  caf::actor who;
};
struct demonitor {
  caf::actor who;
};
/// Hand the write to the group writer; its outcome comes back as stored().
struct store {
  room_write write;
};
/// Ask the store reader for the room as stored; the answer comes back as reloaded().
struct load {
  std::string id;
  std::uint64_t ticket;
};
/// Tell the directory: the room is gone (deleted, or not loadable), wants to hibernate, is busy
/// again, or parks with `image` (durability none; its last message before it stops).
struct tell_directory {
  enum kind_type { gone, hibernate, reinstate, parked } kind;
  std::string image = {};
};
/// Ask the gateway to give its grant of direct calls back; its answer (or its failure) comes
/// back as revoked().
struct revoke {
  caf::actor gateway;
};
/// idle_tick() again after `after`.
struct tick {
  std::chrono::milliseconds after;
};
/// presence_tick(at) once `after` passed (`at`, the earliest presence deadline).
struct presence_tick {
  std::chrono::steady_clock::duration after;
  std::chrono::steady_clock::time_point at;
};
/// Without storage: apply `change` to the node's memory index.
struct index {
  index_change change;
};
/// The room expired: count it (stats `rooms_expired`).
struct expired {};
/// The actor stops.
struct stop {};

}  // namespace room_effects

using room_effect =
    std::variant<room_effects::reply, room_effects::broadcast, room_effects::monitor,
                 room_effects::demonitor, room_effects::store, room_effects::load,
                 room_effects::tell_directory, room_effects::revoke, room_effects::tick,
                 room_effects::presence_tick, room_effects::index, room_effects::expired,
                 room_effects::stop>;

class room_actor_state {
 public:
  using effects = std::vector<room_effect>;
  using clock = presence_table::clock;

  /// `node`: the node the actor runs on (only gateways of the same node get grants).
  explicit room_actor_state(caf::node_id node) : node_(std::move(node)) {}

  /// Takes over a room just created (`fresh`) or unparked: a created room is stored first, then
  /// answers its creator. Without persistence, `memory_indexed` rooms keep the node's memory
  /// index up to date through index effects (a fresh room adds itself; an unparked one is in
  /// it already).
  void start_created(room_state room, std::shared_ptr<const room_persistence> persistence,
                     std::chrono::milliseconds park_after, effects& out, bool fresh = true,
                     bool memory_indexed = false);
  /// Takes over a stored room as the directory's read found it. A room that is not stored, or
  /// cannot be restored, answers `not_found` or `unavailable` until it is forgotten.
  void start_stored(const std::string& id, std::shared_ptr<const limits> room_limits,
                    std::shared_ptr<const room_persistence> persistence,
                    result<std::optional<stored_room>>& loaded, effects& out);

  /// A call, at `now` (presence deadlines count from it).
  void handle(room_call& call, effects& out, clock::time_point now = clock::now());
  void answer_creator(const caller& from, effects& out);
  void stored(const write_outcome& outcome, effects& out);
  /// The reader's answer to the reload after a failed write: the room as stored; the calls
  /// that waited for it run next, in order.
  void reloaded(const load_outcome& outcome, effects& out);
  /// A gateway stopped (its connection closed, or its node became unreachable): its
  /// subscriptions end, and its presence entries leave with reason `disconnect`.
  void gateway_down(const caf::actor_addr& who, effects& out);
  /// The tick asked for `at` (an earliest presence deadline) fired at `now`: entries whose TTL
  /// ran out leave. A tick that is no longer the one asked for is ignored; one that fires early
  /// counts as `at`.
  void presence_tick(clock::time_point at, effects& out, clock::time_point now = clock::now());
  /// Every idle timeout: asks the directory to hibernate if no call came since the last tick
  /// and nothing holds the room (subscribers, writes, replies).
  void idle_tick(effects& out);
  /// The directory agreed to hibernation: once no gateway holds a grant of direct calls, stops
  /// if still idle (a room without storage hands the directory its image first: it is parked),
  /// else stays.
  void hibernation_granted(effects& out);
  /// The directory has forgotten this room (deleted, or not loadable): it stops once no gateway
  /// holds a grant, so that no direct call can arrive after it.
  void directory_forgot(effects& out);
  /// A gateway gave its grant back (or failed to answer: it is gone).
  void revoked(effects& out);

  const std::string& id() const { return id_; }
  std::size_t subscribers() const { return subscribers_ ? subscribers_->size() : 0; }
  const presence_table& presence() const { return presence_; }

 private:
  /// Something to carry out once the room is stored up to `needed`.
  struct output {
    enum kind_type { reply, subscribe, broadcast, forget } kind;
    std::uint64_t needed;
    caller to;
    call_reply answer;
    caf::message event;
    /// broadcast: the event with its patch, if a subscriber wants it.
    caf::message patch_event = {};
    /// subscribe: the subscription asked for patches.
    bool patch = false;
  };

  result<room_outcome> apply(room_command& command);
  void subscribe(const caller& from, const subscribe_command& cmd, effects& out);
  void unsubscribe(const caller& from, effects& out);
  void reply_later(const caller& from, const result<value>& answer, effects& out);
  void emit(output item, effects& out);
  void perform(output& item, effects& out);
  void release(effects& out);
  void submit_next_write(effects& out);
  /// After anything that may have changed the room's summary (a change, presence coming or
  /// going): tells the room whether it holds presence, then has the index follow, through the
  /// next write (storage) or an index effect (memory).
  void follow_index(effects& out);
  /// Hands the change to the journal (moved: the room keeps its own encoding of the event).
  void record_change(event_record change);
  void fail_pending(const rooms_error& error, effects& out);
  /// Takes the room as stored (or the reason it cannot be had) from a read.
  void adopt(result<std::optional<stored_room>>& loaded, effects& out);
  /// After a failed write: asks the reader for the room as stored; calls wait meanwhile.
  void reload(effects& out);
  bool idle_now() const;
  void schedule_tick(effects& out);
  /// True for a room without storage that parks when idle.
  bool parks() const;
  /// Tells the directory that this room is gone and revokes every grant.
  void forget_me(effects& out);
  /// Whether the caller's gateway gets a grant of direct calls with this answer: it is on this
  /// node, came through the directory and holds none, and the room is not stopping.
  bool grant(const caller& to);
  /// Asks every gateway holding a grant to give it back; revoked() counts the answers, after
  /// which no direct call can arrive.
  void revoke_grants(effects& out);
  /// Hibernation agreed and every grant revoked: stop, park, or stay.
  void finish_hibernation(effects& out);
  std::uint64_t durable_version() const;
  /// Adds `who`, or changes whether it gets patches when it follows the room already.
  void add_subscriber(const caf::actor& who, bool patch, effects& out);
  /// Replaces the shared subscriber list (copied on change) and recounts patch subscribers.
  void set_subscribers(std::shared_ptr<room_subscribers> next);
  void remove_subscriber(const caf::actor& who, effects& out);
  bool is_subscriber(const caf::actor& who) const;
  bool is_owner(const caf::actor& who) const;
  /// Sends an event or presence notification (its frame made only if someone will get it) to
  /// the subscribers, through the outbox, in order.
  /// An edit's event also goes with its patch to the subscribers that asked (`with_patch`).
  template <class MakeFrame>
  void broadcast(MakeFrame make_frame, bool presence, effects& out, bool with_patch = false);
  void set_presence(const caller& from, const presence_command& cmd, clock::time_point now,
                    effects& out);
  /// Sends a presence change to the subscribers, in order with the room's events.
  void announce(const presence_table::change& change, effects& out);
  void announce_all(const std::vector<presence_table::change>& changes, effects& out);
  /// The number `who` has as an owner of presence entries (given, and watched, on first use).
  presence_owner owner_of(const caf::actor& who, effects& out);
  /// Forgets owners that hold no entry any more (and stops watching them unless subscribed).
  void release_owners(effects& out);
  /// A presence_tick effect if `next`, a deadline, comes before the tick already asked for.
  /// Each tick asks for the earliest deadline of all; between ticks only the deadline a call
  /// set can come earlier, so calls pass theirs and never walk the entries.
  void schedule_presence_tick(std::optional<clock::time_point> next, clock::time_point now,
                              effects& out);

  caf::node_id node_;
  std::optional<room_state> room_;
  std::string id_;
  /// id_ as its 16 bytes, carried by every event (room_event::key).
  room_key key_;
  std::shared_ptr<const room_persistence> persistence_;
  std::shared_ptr<const limits> limits_;
  /// On the heap: a room of a node without storage (durability none) has none, and an idle
  /// room's actor should not carry its size (docs/benchmarks.md, memory per idle room).
  std::unique_ptr<room_journal> journal_;
  compact_queue<output> outbox_;
  /// Subscribe outputs waiting in the outbox: subscribers to be, who need later events; and
  /// how many of them asked for patches.
  std::size_t pending_subscribes_ = 0;
  std::size_t pending_patch_subscribes_ = 0;
  /// Copied on change (rare), shared with every broadcast (each event): a broadcast goes to
  /// the subscribers of the moment it was released.
  std::shared_ptr<const room_subscribers> subscribers_;
  /// How many of subscribers_ asked for patches.
  std::size_t patch_subscribers_ = 0;
  bool hibernating_ = false;
  /// While hibernating_: the directory agreed (it holds the room's calls).
  bool directory_agreed_ = false;
  /// The directory forgot the room: it stops when the last grant is revoked.
  bool forgotten_ = false;
  /// Gateways that hold a grant of direct calls (docs/architecture.md, "Direct calls").
  std::vector<caf::actor_addr> granted_;
  /// Revocations asked and not answered yet.
  std::size_t revocations_pending_ = 0;
  std::uint64_t calls_since_tick_ = 0;
  /// Without persistence: how long idle before parking (0: never).
  std::chrono::milliseconds park_after_{0};
  /// Set when the room could not be loaded (or reloaded) from storage. On the heap: almost no
  /// room ever has one, and an inline optional would cost every room actor 64 bytes.
  std::unique_ptr<rooms_error> broken_;
  /// Non-null while a reload is under way: the calls that arrived meanwhile, in order. On the
  /// heap for the same reason as broken_.
  std::unique_ptr<std::vector<room_call>> waiting_;
  /// Tells the reload's answer from a stale one.
  std::uint64_t reload_ticket_ = 0;
  presence_table presence_;
  /// Without storage, when the node keeps a memory index: the summary it holds of this room.
  bool memory_indexed_ = false;
  std::unique_ptr<room_summary> indexed_;
  /// The room's summary revision that the index (through the journal, or the memory index)
  /// was last brought up to: calls that change nothing make no summary.
  static constexpr std::uint64_t unindexed = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t indexed_revision_ = unindexed;
  /// Gateways that own presence entries, with their numbers; watched while they own any.
  std::vector<std::pair<caf::actor, presence_owner>> owners_;
  presence_owner next_owner_ = 1;
  /// When the presence tick already asked for fires, if one is pending.
  std::optional<clock::time_point> presence_tick_at_;
};

}  // namespace rooms
