// The directory's behavior: create rooms, route calls to room actors (activating stored rooms),
// hold calls of hibernating rooms, forget deleted rooms.
#include "actors/directory/directory_actor.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/directory/room_id.hpp"
#include "actors/directory/room_key.hpp"
#include "actors/messages.hpp"
#include "actors/replies.hpp"
#include "actors/room/room_actor.hpp"
#include "actors/storage/room_codec.hpp"
#include "actors/storage/store_reader.hpp"

namespace rooms {

namespace {

// Bytes on the heap with their length: half a std::string inside every entry.
class packed_bytes {
 public:
  packed_bytes() = default;
  explicit packed_bytes(std::string_view bytes)
      : data_(std::make_unique<char[]>(bytes.size())), size_(bytes.size()) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
  }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

// One per room in memory, live or parked, so kept small: a node holds a million of them.
struct room_entry {
  /// Null while the room is parked.
  caf::actor actor;
  /// Non-null while the room asked to hibernate: calls wait here until it stops or stays.
  std::unique_ptr<std::vector<room_call>> held = nullptr;
  /// Durability `none`: the image of a parked room (encode_room_image, without the id, which
  /// is the entry's key), or empty.
  packed_bytes parked = {};
};

struct directory_state {
  static inline const char* name = "directory";

  explicit directory_state(caf::event_based_actor* owner) : self(owner) {}

  // Room actors do not outlive their directory: a node that stops (or a test that restarts
  // one) must not keep old room actors writing to the store.
  ~directory_state() {
    for (auto& [id, entry] : rooms)
      if (entry.actor) caf::anon_send_exit(entry.actor, caf::exit_reason::user_shutdown);
  }
  directory_state(const directory_state&) = delete;
  directory_state& operator=(const directory_state&) = delete;

  caf::event_based_actor* self;
  directory_config config;
  // Keyed by room_key, not the id string: 16 bytes inline instead of a string on the heap.
  std::unordered_map<room_key, room_entry, room_key_hash> rooms;
  std::unordered_map<caf::actor_addr, room_key> ids;
  /// Indexed like the placement's nodes: each connected peer's directory (null: unreachable).
  std::vector<caf::actor> peers;
  /// Rooms being read from the store (activation): their calls wait here, in order. A room is
  /// in `rooms` or here, never both. The ticket tells this read's answer from a stale one.
  struct pending_load {
    std::uint64_t ticket;
    std::vector<room_call> held;
  };
  std::unordered_map<room_key, pending_load, room_key_hash> loading;
  /// Creations waiting for the store to say their drawn id is free, by ticket.
  struct pending_create {
    std::string id;
    create_call call;
  };
  std::unordered_map<std::uint64_t, pending_create> creating;
  std::uint64_t next_ticket = 1;

  void create(create_call& call);
  void create_checked(const exists_outcome& outcome);
  void create_under(std::string id, create_call& call);
  void loaded(const load_outcome& outcome);
  void route(room_call& call);
  void forward_to_home(room_call& call, std::size_t home);
  void peer_up(std::size_t index, caf::actor directory);
  void peer_down(std::size_t index);
  void activate(room_call& call);
  /// The room's entry, or rooms.end() (also for text that is no room id).
  std::unordered_map<room_key, room_entry, room_key_hash>::iterator find(std::string_view id);
  void track(const room_key& key, caf::actor room);
  void forget(const std::string& id);
  void hibernate(const std::string& id);
  void reinstate(const std::string& id);
  void park(const std::string& id, std::string image);
  void unpark(room_entry& entry, room_call& call);
  void stopped(const caf::actor_addr& who);
  void reply(const caller& from, const result<json>& answer);
  /// A fresh id placed on this node and held by no room in memory (stored ones are checked by
  /// the reader).
  std::string draw_id() const;
};

bool placed_here(const directory_config& config, const std::string& id) {
  return !config.placement || config.placement->is_local(id);
}

std::string directory_state::draw_id() const {
  // With N nodes, about N draws find an id placed here: creation never leaves this node.
  std::string id = new_room_id();
  while (!placed_here(config, id) || rooms.count(*room_key::of(id)) != 0 ||
         loading.count(*room_key::of(id)) != 0)
    id = new_room_id();
  return id;
}

void directory_state::create(create_call& call) {
  std::string id = draw_id();
  if (!config.persistence) return create_under(std::move(id), call);
  // A stored room may hold the id (a hibernated one): the reader looks, and the creation
  // waits for its answer instead of the worker waiting for the disk.
  const std::uint64_t ticket = next_ticket++;
  config.persistence->reader->exists(id, [me = caf::actor{self}, ticket](result<bool> found) {
    caf::anon_send(me, loaded_atom::value,
                   exists_outcome{ticket, std::make_shared<const result<bool>>(std::move(found))});
  });
  creating.emplace(ticket, pending_create{std::move(id), std::move(call)});
}

void directory_state::create_checked(const exists_outcome& outcome) {
  auto it = creating.find(outcome.ticket);
  if (it == creating.end()) return;
  auto pending = std::move(it->second);
  creating.erase(it);
  const result<bool>& found = *outcome.found;
  // An unreadable store must not lead to a second room under the same id: say so.
  if (!found) return reply(pending.call.from, found.error());
  if (*found) return create(pending.call);  // taken: draw again
  // Drawn before the read: a room made meanwhile may have the same id only by the same draw.
  if (rooms.count(*room_key::of(pending.id)) != 0 || loading.count(*room_key::of(pending.id)) != 0)
    return create(pending.call);
  create_under(std::move(pending.id), pending.call);
}

void directory_state::create_under(std::string id, create_call& call) {
  const room_key key = *room_key::of(id);
  auto state = room_state::create(std::move(id), std::move(call.command), config.room_limits);
  if (!state) return reply(call.from, state.error());
  track(key, spawn_room_actor(self->system(), std::move(*state), caf::actor{self},
                              config.persistence, config.park_after));
  // The room actor answers the creation, so that answer waits until the room is stored.
  self->send(rooms[key].actor, create_atom::value, std::move(call.from));
}

std::unordered_map<room_key, room_entry, room_key_hash>::iterator directory_state::find(
    std::string_view id) {
  auto key = room_key::of(id);
  return key ? rooms.find(*key) : rooms.end();
}

void directory_state::track(const room_key& key, caf::actor room) {
  self->monitor(room);
  ids.emplace(room.address(), key);
  rooms.emplace(key, room_entry{std::move(room)});
  config.counters->rooms.fetch_add(1, std::memory_order_relaxed);
}

void directory_state::route(room_call& call) {
  const std::string& id = room_of(call.command);
  if (!placed_here(config, id)) return forward_to_home(call, config.placement->home(id));
  if (auto it = find(id); it != rooms.end()) {
    if (it->second.held) return it->second.held->push_back(std::move(call));
    if (!it->second.actor) return unpark(it->second, call);
    self->send(it->second.actor, room_call_atom::value, std::move(call));
    return;
  }
  if (auto key = room_key::of(id); key && !loading.empty()) {
    if (auto it = loading.find(*key); it != loading.end())
      return it->second.held.push_back(std::move(call));
  }
  activate(call);
}

// Only the home node ever spawns a room's actor; every other node only forwards to it, and
// answers `unavailable` rather than guess while the home is unreachable.
void directory_state::forward_to_home(room_call& call, std::size_t home) {
  if (home < peers.size() && peers[home]) {
    self->send(peers[home], room_call_atom::value, std::move(call));
    return;
  }
  const std::string& id = room_of(call.command);
  reply(call.from, rooms_error{error_code::unavailable,
                               "room " + id + " is on node " + config.placement->node(home).name +
                                   ", which cannot be reached",
                               {{"room", id}}});
}

void directory_state::peer_up(std::size_t index, caf::actor directory) {
  if (index >= peers.size()) return;
  if (!peers[index]) config.counters->peers_up.fetch_add(1, std::memory_order_relaxed);
  peers[index] = std::move(directory);
}

void directory_state::peer_down(std::size_t index) {
  if (index >= peers.size() || !peers[index]) return;
  peers[index] = nullptr;
  config.counters->peers_up.fetch_sub(1, std::memory_order_relaxed);
}

void directory_state::activate(room_call& call) {
  const std::string id = room_of(call.command);
  const bool unsubscribe = std::holds_alternative<unsubscribe_command>(call.command);
  if (!unsubscribe && is_room_id(id) && config.persistence) {
    // The reader looks the room up; its calls wait here meanwhile, in order.
    const std::uint64_t ticket = next_ticket++;
    config.persistence->reader->load(
        id, [me = caf::actor{self}, id, ticket](result<std::optional<stored_room>> read) {
          caf::anon_send(
              me, loaded_atom::value,
              load_outcome{id, ticket,
                           std::make_shared<result<std::optional<stored_room>>>(std::move(read))});
        });
    auto& pending = loading[*room_key::of(id)];
    pending.ticket = ticket;
    pending.held.push_back(std::move(call));
    return;
  }
  if (unsubscribe) return reply(call.from, json{{"room", id}, {"subscribed", false}});
  reply(call.from, rooms_error{error_code::not_found, "room " + id + " does not exist"});
}

void directory_state::loaded(const load_outcome& outcome) {
  const auto key = room_key::of(outcome.room);
  if (!key) return;
  auto it = loading.find(*key);
  if (it == loading.end() || it->second.ticket != outcome.ticket) return;
  std::vector<room_call> held = std::move(it->second.held);
  loading.erase(it);
  const auto& read = *outcome.loaded;
  if (read && !*read) {
    // Not stored: each call gets the answer it would have had without the read.
    for (auto& call : held) {
      if (std::holds_alternative<unsubscribe_command>(call.command))
        reply(call.from, json{{"room", outcome.room}, {"subscribed", false}});
      else
        reply(call.from,
              rooms_error{error_code::not_found, "room " + outcome.room + " does not exist"});
    }
    return;
  }
  // Loaded, or not loadable: the room actor answers (`unavailable` for a room it cannot
  // restore) and asks to be forgotten in the second case.
  track(*key, spawn_stored_room_actor(self->system(), outcome.room, config.room_limits,
                                      caf::actor{self}, config.persistence, outcome.loaded));
  for (auto& call : held) self->send(rooms[*key].actor, room_call_atom::value, std::move(call));
}

void directory_state::forget(const std::string& id) {
  auto it = find(id);
  if (it == rooms.end()) return;
  // Everything this directory forwarded to the room is now ahead of this answer in its mailbox.
  self->send(it->second.actor, room_gone_atom::value);
  self->demonitor(it->second.actor);
  ids.erase(it->second.actor.address());
  auto held = std::move(it->second.held);
  rooms.erase(it);
  config.counters->rooms.fetch_sub(1, std::memory_order_relaxed);
  if (held)
    for (auto& call : *held) route(call);
}

void directory_state::hibernate(const std::string& id) {
  auto it = find(id);
  if (it == rooms.end() || it->second.held) return;
  it->second.held = std::make_unique<std::vector<room_call>>();
  self->send(it->second.actor, hibernate_atom::value);
}

void directory_state::reinstate(const std::string& id) {
  auto it = find(id);
  if (it == rooms.end() || !it->second.held) return;
  auto held = std::move(it->second.held);
  for (auto& call : *held) self->send(it->second.actor, room_call_atom::value, std::move(call));
}

// The room handed over its image before stopping (its last message, ahead of the down
// message): the entry keeps it, and the calls held meanwhile wait for that down message.
void directory_state::park(const std::string& id, std::string image) {
  auto it = find(id);
  if (it == rooms.end() || !it->second.held) return;
  it->second.parked = packed_bytes{image};
}

void directory_state::unpark(room_entry& entry, room_call& call) {
  auto image = decode_room_image(entry.parked.view());
  if (image) image->id = room_of(call.command);
  auto state = image ? room_state::restore(std::move(*image), {}, config.room_limits)
                     : result<room_state>{image.error()};
  if (!state) {
    // Our own encoding of a room that was valid: this does not happen. Say so, keep the image.
    return reply(call.from,
                 rooms_error{error_code::internal,
                             "a parked room could not be activated: " + state.error().message});
  }
  entry.actor = spawn_room_actor(self->system(), std::move(*state), caf::actor{self}, nullptr,
                                 config.park_after);
  entry.parked = packed_bytes{};
  self->monitor(entry.actor);
  ids.emplace(entry.actor.address(), *room_key::of(room_of(call.command)));
  config.counters->rooms_parked.fetch_sub(1, std::memory_order_relaxed);
  self->send(entry.actor, room_call_atom::value, std::move(call));
}

void directory_state::stopped(const caf::actor_addr& who) {
  auto id_it = ids.find(who);
  if (id_it == ids.end()) return;
  auto it = rooms.find(id_it->second);
  ids.erase(id_it);
  if (it == rooms.end()) return;
  auto held = std::move(it->second.held);
  if (!it->second.parked.empty()) {
    // A parked room lives on as its image; the calls held meanwhile activate it again.
    it->second.actor = nullptr;
    config.counters->rooms_parked.fetch_add(1, std::memory_order_relaxed);
  } else {
    // A hibernated room stopped with everything stored: the next call loads it again.
    rooms.erase(it);
    config.counters->rooms.fetch_sub(1, std::memory_order_relaxed);
  }
  if (held)
    for (auto& call : *held) route(call);
}

void directory_state::reply(const caller& from, const result<json>& answer) {
  if (!from.wants_reply || !from.reply_to) return;
  self->send(from.reply_to, reply_atom::value, encode_reply(from, answer));
}

caf::behavior directory_actor(caf::stateful_actor<directory_state>* self, directory_config config) {
  self->state.config = std::move(config);
  if (self->state.config.placement) self->state.peers.resize(self->state.config.placement->size());
  self->set_down_handler([self](caf::down_msg& msg) { self->state.stopped(msg.source); });
  return {
      [self](create_atom, create_call& call) { self->state.create(call); },
      [self](loaded_atom, const load_outcome& outcome) { self->state.loaded(outcome); },
      [self](loaded_atom, const exists_outcome& outcome) { self->state.create_checked(outcome); },
      [self](room_call_atom, room_call& call) { self->state.route(call); },
      [self](room_gone_atom, const std::string& id) { self->state.forget(id); },
      [self](hibernate_atom, const std::string& id) { self->state.hibernate(id); },
      [self](reinstate_atom, const std::string& id) { self->state.reinstate(id); },
      [self](parked_atom, const std::string& id, std::string& image) {
        self->state.park(id, std::move(image));
      },
      [self](peer_up_atom, std::uint64_t index, caf::actor& directory) {
        self->state.peer_up(index, std::move(directory));
      },
      [self](peer_down_atom, std::uint64_t index) { self->state.peer_down(index); },
      [self](cluster_hello_atom, const std::string& fingerprint) {
        return self->state.config.placement &&
               self->state.config.placement->fingerprint() == fingerprint;
      },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& system, directory_config config) {
  return system.spawn(directory_actor, std::move(config));
}

}  // namespace rooms
