// room_routes: a gateway's routes (gateway_state.hpp), one per room of this node it holds a
// grant of or has a call through the directory in flight to. Looked up on every call, so kept
// flat: an open-addressed table of (room key, route) with linear probing, one cache line per
// lookup instead of a hash map's bucket and nodes (docs/benchmarks.md, step 6). Shrinks again
// when most of it is empty, so a connection that once touched many rooms does not keep them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <caf/actor.hpp>

#include "actors/directory/room_key.hpp"

namespace rooms {

/// How a connection's calls on one room travel (docs/architecture.md, "Direct calls").
struct room_route {
  /// The room actor's grant of direct calls; null: through the directory.
  caf::actor direct;
  /// This connection's calls on the room sent through the directory, and the highest numbered
  /// of them answered.
  std::uint64_t routed_sent = 0;
  std::uint64_t routed_answered = 0;
  /// Of those, the ones still waiting for their reply.
  std::size_t routed_waiting = 0;
};

class room_routes {
 public:
  /// Keys this table can hold: every id this node gives its rooms (a UUID v4, whose version
  /// digit is in the high half); any other id names no room of ours.
  static bool holds(const room_key& key) { return key.high != 0; }

  std::size_t size() const { return size_; }

  /// The room's route, or nullptr. The pointer lasts until the next insert or erase.
  room_route* find(const room_key& key);
  /// The room's route, made empty if there was none; holds(key) must be true.
  room_route& insert(const room_key& key);
  void erase(const room_key& key);

  /// Routes that hold a grant.
  std::size_t direct() const;

 private:
  struct slot {
    /// A room key's high half is never 0 (a UUID v4 has its version there): 0 marks a free slot.
    room_key key;
    room_route route;
    bool used() const { return key.high != 0; }
  };

  std::size_t index_of(const room_key& key) const {
    return room_key_hash{}(key) & (slots_.size() - 1);
  }
  /// The slot holding `key`, or the free slot where it would go.
  std::size_t probe(const room_key& key) const;
  void resize(std::size_t capacity);

  std::vector<slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace rooms
