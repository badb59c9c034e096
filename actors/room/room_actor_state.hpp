// The state of a room actor (room_actor.hpp): the room, its subscribers, and the outbox of
// replies and events that wait for the room's changes to be stored. Included only by the room
// actor's own files.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/messages.hpp"
#include "actors/room/compact_queue.hpp"
#include "actors/room/room_journal.hpp"
#include "actors/room/room_persistence.hpp"
#include "actors/room/room_state.hpp"

namespace rooms {

class room_actor_state {
 public:
  static inline const char* name = "room";

  explicit room_actor_state(caf::event_based_actor* self) : self_(self) {}

  /// Takes over a room just created: stores it first, then answers its creator.
  void start_created(room_state room, caf::actor directory,
                     std::shared_ptr<const room_persistence> persistence,
                     std::chrono::milliseconds park_after = {});
  /// Takes over a stored room as the directory's read found it. A room that is not stored, or
  /// cannot be restored, answers `not_found` or `unavailable` until it is forgotten.
  void start_stored(const std::string& id, std::shared_ptr<const limits> room_limits,
                    caf::actor directory, std::shared_ptr<const room_persistence> persistence,
                    result<std::optional<stored_room>>& loaded);

  void handle(room_call& call);
  void answer_creator(const caller& from);
  void stored(const write_outcome& outcome);
  /// The reader's answer to the reload after a failed write: the room as stored; the calls
  /// that waited for it run next, in order.
  void reloaded(const load_outcome& outcome);
  void drop_subscriber(const caf::actor_addr& who);
  /// Every idle timeout: asks the directory to hibernate if no call came since the last tick
  /// and nothing holds the room (subscribers, writes, replies).
  void idle_tick();
  /// The directory agreed to hibernation: once no gateway holds a grant of direct calls, stops
  /// if still idle (a room without storage hands the directory its image first: it is parked),
  /// else stays.
  void hibernation_granted();
  /// The directory has forgotten this room (deleted, or not loadable): it stops once no gateway
  /// holds a grant, so that no direct call can arrive after it.
  void directory_forgot();

 private:
  /// Something to send once the room is stored up to `needed`.
  struct output {
    enum kind_type { reply, subscribe, broadcast, forget } kind;
    std::uint64_t needed;
    caller to;
    call_reply answer;
    caf::message event;
  };

  result<room_outcome> apply(room_command& command);
  void subscribe(const caller& from, const subscribe_command& cmd);
  void unsubscribe(const caller& from);
  void reply_later(const caller& from, const result<value>& answer);
  void emit(output out);
  void perform(output& out);
  void release();
  void submit_next_write();
  /// Hands the change to the journal (moved: the room keeps its own encoding of the event).
  void record_change(event_record change);
  void fail_pending(const rooms_error& error);
  /// Takes the room as stored (or the reason it cannot be had) from a read.
  void adopt(result<std::optional<stored_room>>& loaded);
  /// After a failed write: asks the reader for the room as stored; calls wait meanwhile.
  void reload();
  bool idle_now() const;
  void schedule_tick();
  /// True for a room without storage that parks when idle.
  bool parks() const;
  /// Tells the directory that this room is gone and revokes every grant.
  void forget_me();
  /// Adds a grant of direct calls to `answer` if its caller's gateway may have one: it is on
  /// this node, came through the directory and holds none, and the room is not stopping.
  void grant(const caller& to, call_reply& answer);
  /// Asks every gateway holding a grant to give it back (revoke_atom); revoked() counts the
  /// answers, after which no direct call can arrive.
  void revoke_grants();
  void revoked();
  /// Hibernation agreed and every grant revoked: stop, park, or stay.
  void finish_hibernation();
  std::uint64_t durable_version() const;

  caf::event_based_actor* self_;
  std::optional<room_state> room_;
  std::string id_;
  /// id_ as its 16 bytes, carried by every event (room_event::key).
  room_key key_;
  caf::actor directory_;
  std::shared_ptr<const room_persistence> persistence_;
  std::shared_ptr<const limits> limits_;
  /// On the heap: a room of a node without storage (durability none) has none, and an idle
  /// room's actor should not carry its size (docs/benchmarks.md, memory per idle room).
  std::unique_ptr<room_journal> journal_;
  compact_queue<output> outbox_;
  /// Subscribe outputs waiting in the outbox: subscribers to be, who need later events.
  std::size_t pending_subscribes_ = 0;
  std::vector<caf::actor> subscribers_;
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
};

}  // namespace rooms
