// The directory's rules (directory_actor.hpp says what the directory is for): which room
// activation holds which room id, calls held while a room is read, hibernates or parks, parked
// images, creation, and the cluster's forwarding. A plain class: each message goes in, the
// effects the actor must carry out come out (directory_effect), in the order they must happen.
// Tests drive it without an actor system (tests/actors/directory_state_test.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "actors/directory/directory_actor.hpp"
#include "actors/directory/room_key.hpp"
#include "actors/messages.hpp"
#include "actors/room/room_state.hpp"
#include "actors/storage/room_index.hpp"

namespace rooms {

/// Gives back the bucket array of a hash map most of whose entries left: after a million rooms
/// parked or hibernated, the maps of live actors would otherwise keep 8 bytes per room each.
template <class Map>
void shrink_if_sparse(Map& map) {
  if (map.bucket_count() > 1024 && map.size() < map.bucket_count() / 8) map.rehash(0);
}

/// One room actor that the directory started, by number (never 0, never reused): the actor
/// maps it to the actor's handle.
using activation = std::uint64_t;

namespace directory_effects {

/// Start the actor of a room just created, then have it answer `creator` once it is stored.
struct spawn_created {
  activation room;
  room_state state;
  caller creator;
};
/// Start the actor of a parked room from its image (durability none).
struct spawn_unparked {
  activation room;
  room_state state;
};
/// Start the actor of a stored room from the reader's answer.
struct spawn_stored {
  activation room;
  std::string id;
  std::shared_ptr<result<std::optional<stored_room>>> loaded;
};
/// Send `call` to the room's actor.
struct forward {
  activation room;
  room_call call;
};
/// Send `call` to the directory of node `home` (which is reachable).
struct forward_home {
  std::size_t home;
  room_call call;
};
/// Send `answer` to the gateway that made the call (if it has a handle: a call from no actor
/// gets no answer).
struct reply {
  caller to;
  call_reply answer;
};
/// Ask the store reader for the room; its answer comes back as loaded().
struct load {
  std::string id;
  std::uint64_t ticket;
};
/// Ask the store reader whether the id is stored; its answer comes back as id_checked().
struct check_id {
  std::string id;
  std::uint64_t ticket;
};
/// Tell the room its hibernation (or parking) is agreed: new calls are held.
struct grant_hibernation {
  activation room;
};
/// Tell the room it is forgotten (after everything forwarded to it) and stop watching it.
struct release {
  activation room;
};

}  // namespace directory_effects

using directory_effect =
    std::variant<directory_effects::spawn_created, directory_effects::spawn_unparked,
                 directory_effects::spawn_stored, directory_effects::forward,
                 directory_effects::forward_home, directory_effects::reply, directory_effects::load,
                 directory_effects::check_id, directory_effects::grant_hibernation,
                 directory_effects::release>;

class directory_state {
 public:
  using effects = std::vector<directory_effect>;

  explicit directory_state(directory_config config);

  /// A creation: draws an id placed here, checks with the reader that no stored room has it
  /// (durable nodes), then starts the room.
  void create(create_call call, effects& out);
  /// A call for a room: to its actor, held, read first, forwarded home, or answered here.
  void route(room_call call, effects& out);
  /// The reader's answers.
  void loaded(const load_outcome& outcome, effects& out);
  void id_checked(const exists_outcome& outcome, effects& out);
  /// From a room actor: it was deleted or cannot be loaded; the directory forgets it.
  void room_gone(std::string_view id, effects& out);
  /// From a room actor: it is idle and asks to hibernate (or park).
  void hibernate(std::string_view id, effects& out);
  /// From a room actor: calls made it busy again; the held calls go to it.
  void reinstate(std::string_view id, effects& out);
  /// From a room actor, its last message before it stops: its image (durability none).
  void parked(std::string_view id, std::string image);
  /// A room actor stopped (its down message): a hibernated room is forgotten until the next
  /// call, a parked one keeps its image; the calls held meanwhile are routed again.
  void stopped(activation room, effects& out);
  /// Cluster peers coming and going, by index in the placement.
  void peer_up(std::size_t index);
  void peer_down(std::size_t index);
  /// True when a peer's node list is this node's (the cluster handshake).
  bool same_cluster(const std::string& fingerprint) const;
  /// The timer index's rooms whose deadline passed, read at `now_ms`: each gets an expiry check,
  /// routed like a call, unless one went to it within the last second (its room is still
  /// writing the change that deletes it or moves its deadline).
  void expiry_due(const std::vector<due_room>& due, std::uint64_t now_ms, effects& out);

  /// Rooms with an entry (live, held, or parked), and rooms being read.
  std::size_t rooms() const { return rooms_.size(); }
  std::size_t loading() const { return loading_.size(); }

 private:
  // Bytes on the heap with their length: half a std::string inside every entry.
  class packed_bytes {
   public:
    packed_bytes() = default;
    explicit packed_bytes(std::string_view bytes);
    bool empty() const { return size_ == 0; }
    std::string_view view() const { return {data_.get(), size_}; }

   private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
  };

  // One per room in memory, live or parked, so kept small: a node holds a million of them.
  struct room_entry {
    /// 0 while the room is parked.
    activation room = 0;
    /// Non-null while the room asked to hibernate: calls wait here until it stops or stays.
    std::unique_ptr<std::vector<room_call>> held = nullptr;
    /// Durability `none`: the image of a parked room (encode_room_image, without the id, which
    /// is the entry's key), or empty.
    packed_bytes parked = {};
  };
  struct pending_load {
    std::uint64_t ticket;
    std::vector<room_call> held;
  };
  struct pending_create {
    std::string id;
    create_call call;
  };
  using room_map = std::unordered_map<room_key, room_entry, room_key_hash>;

  bool placed_here(const std::string& id) const;
  /// A fresh id placed here that no room in memory holds.
  std::string draw_id() const;
  bool in_memory(const room_key& key) const;
  void create_under(std::string id, create_call& call, effects& out);
  void forward_home(room_call& call, std::size_t home, effects& out);
  void activate(room_call& call, effects& out);
  /// The answer to a call for a room that is not stored.
  void activate_missing(room_call& call, const std::string& id, effects& out);
  void unpark(room_entry& entry, room_call& call, effects& out);
  activation track(const room_key& key);
  room_map::iterator find(std::string_view id);
  void reply(const caller& from, const result<json>& answer, effects& out);
  void route_all(std::vector<room_call>& calls, effects& out);

  directory_config config_;
  // Keyed by room_key, not the id string: 16 bytes inline instead of a string on the heap.
  room_map rooms_;
  std::unordered_map<activation, room_key> keys_;
  /// Rooms being read from the store: their calls wait here, in order. A room is in rooms_ or
  /// here, never both. The ticket tells this read's answer from a stale one.
  std::unordered_map<room_key, pending_load, room_key_hash> loading_;
  /// Creations waiting for the reader to say their drawn id is free, by ticket.
  std::unordered_map<std::uint64_t, pending_create> creating_;
  /// Indexed like the placement's nodes: whether each peer's directory is connected.
  std::vector<bool> peers_;
  /// Rooms sent an expiry check, and when (Unix ms).
  std::unordered_map<room_key, std::uint64_t, room_key_hash> expiry_checks_;
  std::uint64_t next_ticket_ = 1;
  activation next_activation_ = 1;
};

}  // namespace rooms
