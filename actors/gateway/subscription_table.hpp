// subscription_table: the rooms one connection follows, as its gateway sees them
// (docs/protocol.md): which events to relay, and how many rooms count against the
// connection's subscription limit. Plain C++, driven by gateway_state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/gateway/room_table.hpp"

namespace rooms {

class subscription_table {
 public:
  /// Rooms the connection follows or has asked to follow (the subscription limit counts these).
  std::size_t followed() const { return followed_; }

  /// Active subscriptions: rooms whose events are relayed.
  std::size_t active() const { return active_; }

  /// True if `room` counts in followed().
  bool follows(const std::string& room) const;

  /// True if events of `room` are being relayed.
  bool is_active(const std::string& room) const;

  /// A subscribe call for `room` was sent.
  void subscribe_sent(const std::string& room);

  /// The reply to a subscribe of `room` arrived (replies of one room arrive in the order the
  /// calls were sent). `version` is set when it succeeded: relaying starts above it, unless an
  /// unsubscribe sent after the call cancelled it.
  void subscribe_answered(const std::string& room, std::optional<std::uint64_t> version);

  /// Ends the subscription (unsubscribe, lagged): nothing more is relayed, and subscribes still
  /// in flight are cancelled, since the unsubscribe that follows them wins at the room.
  void end(const std::string& room);

  enum class relay_outcome { skipped, relayed, refused };

  /// Relays an event of `room` with `version` if it is wanted: the room is followed and the
  /// version is above the last one relayed (drops duplicates after a re-subscribe). Then
  /// `write()` is called, and true from it means the event went out: it counts as relayed, and
  /// a `deleted` event ends the subscription. One lookup for the whole decision, since each
  /// event is relayed by every subscriber's gateway.
  /// `key` is room_key::of(room) if the caller has it, else zero. A presence notification
  /// carries the version it was made at, which it does not move: it is relayed from that
  /// version on, and leaves the last version as it was.
  template <class Write>
  relay_outcome relay(const std::string& room, const room_key& key, std::uint64_t version,
                      bool deleted, bool presence, Write&& write) {
    entry* e = room_table<entry>::holds(key) ? keyed_.find(key) : find(room);
    if (e == nullptr || !e->active) return relay_outcome::skipped;
    if (presence ? version < e->last_version : version <= e->last_version)
      return relay_outcome::skipped;
    if (!write()) return relay_outcome::refused;
    if (presence) return relay_outcome::relayed;
    if (!deleted) {
      e->last_version = version;
      return relay_outcome::relayed;
    }
    deleted_relayed(room, version);
    return relay_outcome::relayed;
  }

  /// The last version relayed (or announced by the subscribe reply) for `room`.
  std::uint64_t last_version(const std::string& room) const;

 private:
  struct entry {
    bool active = false;
    std::uint64_t last_version = 0;
    /// Subscribe calls sent and not answered yet, and how many of those an unsubscribe
    /// cancelled.
    std::uint32_t pending = 0;
    std::uint32_t cancelled = 0;

    bool wanted() const { return active || pending > cancelled; }
  };

  /// The `deleted` event of `room` was relayed: the subscription ends.
  void deleted_relayed(const std::string& room, std::uint64_t version);

  /// Applies `change` to the entry of `room`, keeps the counts, and forgets idle entries.
  template <class Change>
  void update(const std::string& room, Change change);

  /// The entry of `room`, or nullptr; valid until the next insert or erase.
  entry* find(const std::string& room);
  const entry* find(const std::string& room) const;
  entry& insert(const std::string& room);
  void erase(const std::string& room);

  /// Entries of rooms with a canonical id, the only ones a node gives (every event is looked up
  /// by every subscriber's gateway: one cache line each), and of any other id a backend named.
  room_table<entry> keyed_;
  std::unordered_map<std::string, entry> others_;
  std::size_t followed_ = 0;
  std::size_t active_ = 0;
};

}  // namespace rooms
