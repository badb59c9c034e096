// The directory's rules: routing, activation through the reader, hibernation and parking,
// creation, forwarding to a room's home node (directory_state.hpp).
#include "actors/directory/directory_state.hpp"

#include <algorithm>
#include <utility>

#include "actors/replies.hpp"
#include "actors/storage/room_codec.hpp"
#include "protocol/room_id.hpp"

namespace rooms {

namespace fx = directory_effects;

directory_state::packed_bytes::packed_bytes(std::string_view bytes)
    : data_(std::make_unique<char[]>(bytes.size())), size_(bytes.size()) {
  std::copy(bytes.begin(), bytes.end(), data_.get());
}

directory_state::directory_state(directory_config config) : config_(std::move(config)) {
  if (config_.placement) peers_.resize(config_.placement->size());
}

// -- creation ----------------------------------------------------------------------------------

bool directory_state::placed_here(const std::string& id) const {
  return !config_.placement || config_.placement->is_local(id);
}

bool directory_state::in_memory(const room_key& key) const {
  return rooms_.count(key) != 0 || loading_.count(key) != 0;
}

std::string directory_state::draw_id() const {
  // With N nodes, about N draws find an id placed here: creation never leaves this node.
  std::string id = new_room_id();
  while (!placed_here(id) || in_memory(*room_key::of(id))) id = new_room_id();
  return id;
}

void directory_state::create(create_call call, effects& out) {
  std::string id = draw_id();
  if (!config_.persistence) return create_under(std::move(id), call, out);
  // A stored room (a hibernated one) may hold the id: the reader looks first.
  const std::uint64_t ticket = next_ticket_++;
  out.push_back(fx::check_id{id, ticket});
  creating_.emplace(ticket, pending_create{std::move(id), std::move(call)});
}

void directory_state::id_checked(const exists_outcome& outcome, effects& out) {
  auto it = creating_.find(outcome.ticket);
  if (it == creating_.end()) return;
  pending_create pending = std::move(it->second);
  creating_.erase(it);
  const result<bool>& found = *outcome.found;
  // An unreadable store must not lead to a second room under the same id: say so.
  if (!found) return reply(pending.call.from, found.error(), out);
  // Taken by a stored room, or by one that came into memory meanwhile: draw again.
  if (*found || in_memory(*room_key::of(pending.id))) return create(std::move(pending.call), out);
  create_under(std::move(pending.id), pending.call, out);
}

void directory_state::create_under(std::string id, create_call& call, effects& out) {
  const room_key key = *room_key::of(id);
  auto state = room_state::create(std::move(id), std::move(call.command), config_.room_limits);
  if (!state) return reply(call.from, state.error(), out);
  // The room actor answers the creation, so that answer waits until the room is stored.
  out.push_back(fx::spawn_created{track(key), std::move(*state), std::move(call.from)});
}

activation directory_state::track(const room_key& key) {
  const activation room = next_activation_++;
  keys_.emplace(room, key);
  rooms_.emplace(key, room_entry{room});
  config_.counters->rooms.fetch_add(1, std::memory_order_relaxed);
  return room;
}

// -- routing -----------------------------------------------------------------------------------

directory_state::room_map::iterator directory_state::find(std::string_view id) {
  auto key = room_key::of(id);
  return key ? rooms_.find(*key) : rooms_.end();
}

void directory_state::route(room_call call, effects& out) {
  const std::string& id = room_of(call.command);
  if (!placed_here(id)) return forward_home(call, config_.placement->home(id), out);
  const auto key = room_key::of(id);
  if (key) {
    if (auto it = rooms_.find(*key); it != rooms_.end()) {
      room_entry& entry = it->second;
      if (entry.held) return entry.held->push_back(std::move(call));
      if (entry.room == 0) return unpark(entry, call, out);
      out.push_back(fx::forward{entry.room, std::move(call)});
      return;
    }
    if (auto it = loading_.find(*key); it != loading_.end())
      return it->second.held.push_back(std::move(call));
  }
  activate(call, out);
}

void directory_state::route_all(std::vector<room_call>& calls, effects& out) {
  for (auto& call : calls) route(std::move(call), out);
}

// Only the home node ever starts a room's actor; every other node only forwards to it, and
// answers `unavailable` rather than guess while the home is unreachable.
void directory_state::forward_home(room_call& call, std::size_t home, effects& out) {
  if (home < peers_.size() && peers_[home]) {
    out.push_back(fx::forward_home{home, std::move(call)});
    return;
  }
  const std::string& id = room_of(call.command);
  reply(call.from,
        rooms_error{error_code::unavailable,
                    "room " + id + " is on node " + config_.placement->node(home).name +
                        ", which cannot be reached",
                    {{"room", id}}},
        out);
}

void directory_state::activate(room_call& call, effects& out) {
  const std::string id = room_of(call.command);
  const bool unsubscribe = std::holds_alternative<unsubscribe_command>(call.command);
  if (!unsubscribe && is_room_id(id) && config_.persistence) {
    // The reader looks the room up; its calls wait here meanwhile, in order.
    const std::uint64_t ticket = next_ticket_++;
    out.push_back(fx::load{id, ticket});
    auto& pending = loading_[*room_key::of(id)];
    pending.ticket = ticket;
    pending.held.push_back(std::move(call));
    return;
  }
  activate_missing(call, id, out);
}

void directory_state::loaded(const load_outcome& outcome, effects& out) {
  const auto key = room_key::of(outcome.room);
  if (!key) return;
  auto it = loading_.find(*key);
  if (it == loading_.end() || it->second.ticket != outcome.ticket) return;
  std::vector<room_call> held = std::move(it->second.held);
  loading_.erase(it);
  const auto& read = *outcome.loaded;
  if (read && !*read) {
    // Not stored: each call gets the answer it would have had without the read.
    for (auto& call : held) activate_missing(call, outcome.room, out);
    return;
  }
  // Loaded, or not loadable: the room actor answers (`unavailable` for a room it cannot
  // restore, and then asks to be forgotten).
  const activation room = track(*key);
  out.push_back(fx::spawn_stored{room, outcome.room, outcome.loaded});
  for (auto& call : held) out.push_back(fx::forward{room, std::move(call)});
}

void directory_state::activate_missing(room_call& call, const std::string& id, effects& out) {
  if (std::holds_alternative<unsubscribe_command>(call.command))
    return reply(call.from, json{{"room", id}, {"subscribed", false}}, out);
  reply(call.from, rooms_error{error_code::not_found, "room " + id + " does not exist"}, out);
}

void directory_state::unpark(room_entry& entry, room_call& call, effects& out) {
  auto image = decode_room_image(entry.parked.view());
  if (image) image->id = room_of(call.command);
  auto state = image ? room_state::restore(std::move(*image), {}, config_.room_limits)
                     : result<room_state>{image.error()};
  if (!state) {
    // Our own encoding of a room that was valid: this does not happen. Say so, keep the image.
    return reply(call.from,
                 rooms_error{error_code::internal,
                             "a parked room could not be activated: " + state.error().message},
                 out);
  }
  const room_key key = *room_key::of(room_of(call.command));
  entry.room = next_activation_++;
  entry.parked = packed_bytes{};
  keys_.emplace(entry.room, key);
  config_.counters->rooms_parked.fetch_sub(1, std::memory_order_relaxed);
  out.push_back(fx::spawn_unparked{entry.room, std::move(*state)});
  out.push_back(fx::forward{entry.room, std::move(call)});
}

// -- what room actors tell -----------------------------------------------------------------------

void directory_state::room_gone(std::string_view id, effects& out) {
  auto it = find(id);
  if (it == rooms_.end() || it->second.room == 0) return;
  // Everything this directory forwarded to the room is now ahead of this answer in its mailbox.
  out.push_back(fx::release{it->second.room});
  keys_.erase(it->second.room);
  shrink_if_sparse(keys_);
  auto held = std::move(it->second.held);
  rooms_.erase(it);
  config_.counters->rooms.fetch_sub(1, std::memory_order_relaxed);
  if (held) route_all(*held, out);
}

void directory_state::hibernate(std::string_view id, effects& out) {
  auto it = find(id);
  if (it == rooms_.end() || it->second.held || it->second.room == 0) return;
  it->second.held = std::make_unique<std::vector<room_call>>();
  out.push_back(fx::grant_hibernation{it->second.room});
}

void directory_state::reinstate(std::string_view id, effects& out) {
  auto it = find(id);
  if (it == rooms_.end() || !it->second.held) return;
  auto held = std::move(it->second.held);
  for (auto& call : *held) out.push_back(fx::forward{it->second.room, std::move(call)});
}

// The room handed over its image before stopping (its last message, ahead of the down
// message): the entry keeps it, and the calls held meanwhile wait for that down message.
void directory_state::parked(std::string_view id, std::string image) {
  auto it = find(id);
  if (it == rooms_.end() || !it->second.held) return;
  it->second.parked = packed_bytes{image};
}

void directory_state::stopped(activation room, effects& out) {
  auto key_it = keys_.find(room);
  if (key_it == keys_.end()) return;
  auto it = rooms_.find(key_it->second);
  keys_.erase(key_it);
  shrink_if_sparse(keys_);
  if (it == rooms_.end() || it->second.room != room) return;
  auto held = std::move(it->second.held);
  if (!it->second.parked.empty()) {
    // A parked room lives on as its image; the calls held meanwhile activate it again.
    it->second.room = 0;
    config_.counters->rooms_parked.fetch_add(1, std::memory_order_relaxed);
  } else {
    // A hibernated room stopped with everything stored: the next call loads it again.
    rooms_.erase(it);
    config_.counters->rooms.fetch_sub(1, std::memory_order_relaxed);
  }
  if (held) route_all(*held, out);
}

// -- cluster -----------------------------------------------------------------------------------

void directory_state::peer_up(std::size_t index) {
  if (index >= peers_.size()) return;
  if (!peers_[index]) config_.counters->peers_up.fetch_add(1, std::memory_order_relaxed);
  peers_[index] = true;
}

void directory_state::peer_down(std::size_t index) {
  if (index >= peers_.size() || !peers_[index]) return;
  peers_[index] = false;
  config_.counters->peers_up.fetch_sub(1, std::memory_order_relaxed);
}

bool directory_state::same_cluster(const std::string& fingerprint) const {
  return config_.placement && config_.placement->fingerprint() == fingerprint;
}

// -- expiry ------------------------------------------------------------------------------------

void directory_state::expiry_due(const std::vector<due_room>& due, std::uint64_t now_ms,
                                 effects& out) {
  constexpr std::uint64_t recheck_after_ms = 1000;
  for (auto it = expiry_checks_.begin(); it != expiry_checks_.end();)
    it = now_ms - it->second >= recheck_after_ms ? expiry_checks_.erase(it) : std::next(it);
  shrink_if_sparse(expiry_checks_);
  for (const due_room& room : due) {
    const auto key = room_key::of(room.room);
    if (!key || !expiry_checks_.emplace(*key, now_ms).second) continue;
    expire_command check{room.room, {}, std::nullopt, std::nullopt, true};
    route(room_call{caller{{}, 0, false}, room_command{std::move(check)}}, out);
  }
}

void directory_state::reply(const caller& from, const result<json>& answer, effects& out) {
  if (!from.wants_reply) return;
  out.push_back(fx::reply{from, encode_reply(from, answer)});
}

}  // namespace rooms
