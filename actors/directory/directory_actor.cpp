// The directory actor: gives each message to directory_state (the rules) and carries out the
// effects it returns: spawning room actors, sending calls and replies, asking the store reader.
#include "actors/directory/directory_actor.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/directory/directory_state.hpp"
#include "actors/directory/room_key.hpp"
#include "actors/messages.hpp"
#include "actors/room/room_actor.hpp"
#include "actors/store_reads.hpp"

namespace rooms {

namespace {

namespace fx = directory_effects;

// The actor around directory_state: it keeps the handles of the room actors and peers that the
// rules know by number, and carries out the effects the rules return, in order.
struct directory_actor_state {
  static inline const char* name = "directory";

  explicit directory_actor_state(caf::event_based_actor* owner) : self(owner) {}

  // Room actors do not outlive their directory: a node that stops (or a test that restarts
  // one) must not keep old room actors writing to the store.
  ~directory_actor_state() {
    for (auto& [room, actor] : actors) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  directory_actor_state(const directory_actor_state&) = delete;
  directory_actor_state& operator=(const directory_actor_state&) = delete;

  void start(directory_config cfg) {
    config = cfg;
    rules = std::make_unique<directory_state>(std::move(cfg));
    if (config.placement) peers.resize(config.placement->size());
  }

  /// Carries out what the last message made the rules decide.
  void run_effects() {
    for (auto& effect : out) std::visit([this](auto& e) { run(e); }, effect);
    out.clear();
  }

  void adopt(activation room, caf::actor actor) {
    self->monitor(actor);
    activations.emplace(actor.address(), room);
    actors.emplace(room, std::move(actor));
  }

  void send_to(activation room, room_call& call) {
    if (auto it = actors.find(room); it != actors.end())
      self->send(it->second, room_call_atom::value, std::move(call));
  }

  void run(fx::spawn_created& e) {
    adopt(e.room, spawn_room_actor(self->system(), std::move(e.state), caf::actor{self},
                                   config.persistence, config.park_after, config.counters));
    self->send(actors[e.room], create_atom::value, std::move(e.creator));
  }
  void run(fx::spawn_unparked& e) {
    adopt(e.room, spawn_room_actor(self->system(), std::move(e.state), caf::actor{self}, nullptr,
                                   config.park_after, config.counters));
  }
  void run(fx::spawn_stored& e) {
    adopt(e.room,
          spawn_stored_room_actor(self->system(), e.id, config.room_limits, caf::actor{self},
                                  config.persistence, e.loaded, config.counters));
  }
  void run(fx::forward& e) { send_to(e.room, e.call); }
  void run(fx::forward_home& e) {
    if (e.home < peers.size() && peers[e.home])
      self->send(peers[e.home], room_call_atom::value, std::move(e.call));
  }
  void run(fx::reply& e) {
    if (e.to.reply_to) self->send(e.to.reply_to, reply_atom::value, std::move(e.answer));
  }
  void run(fx::load& e) { load_for(*config.persistence->reader, caf::actor{self}, e.id, e.ticket); }
  void run(fx::check_id& e) {
    check_for(*config.persistence->reader, caf::actor{self}, e.id, e.ticket);
  }
  void run(fx::grant_hibernation& e) {
    if (auto it = actors.find(e.room); it != actors.end())
      self->send(it->second, hibernate_atom::value);
  }
  void run(fx::release& e) {
    auto it = actors.find(e.room);
    if (it == actors.end()) return;
    self->send(it->second, room_gone_atom::value);
    self->demonitor(it->second);
    activations.erase(it->second.address());
    actors.erase(it);
    shrink_if_sparse(activations);
    shrink_if_sparse(actors);
  }

  void stopped(const caf::actor_addr& who) {
    auto it = activations.find(who);
    if (it == activations.end()) return;
    const activation room = it->second;
    activations.erase(it);
    actors.erase(room);
    shrink_if_sparse(activations);
    shrink_if_sparse(actors);
    rules->stopped(room, out);
  }

  caf::event_based_actor* self;
  directory_config config;
  std::unique_ptr<directory_state> rules;
  directory_state::effects out;
  std::unordered_map<activation, caf::actor> actors;
  std::unordered_map<caf::actor_addr, activation> activations;
  /// Indexed like the placement's nodes: each connected peer's directory (null: unreachable).
  std::vector<caf::actor> peers;
};

using directory_actor_type = caf::stateful_actor<directory_actor_state>;

caf::behavior directory_actor(directory_actor_type* self, directory_config config) {
  self->state.start(std::move(config));
  auto& st = self->state;
  self->set_down_handler([&st](caf::down_msg& msg) {
    st.stopped(msg.source);
    st.run_effects();
  });
  // Each handler gives the message to the rules, then carries out their effects.
  return {
      [&st](create_atom, create_call& call) {
        st.rules->create(std::move(call), st.out);
        st.run_effects();
      },
      [&st](room_call_atom, room_call& call) {
        st.rules->route(std::move(call), st.out);
        st.run_effects();
      },
      [&st](loaded_atom, const load_outcome& outcome) {
        st.rules->loaded(outcome, st.out);
        st.run_effects();
      },
      [&st](loaded_atom, const exists_outcome& outcome) {
        st.rules->id_checked(outcome, st.out);
        st.run_effects();
      },
      [&st](room_gone_atom, const std::string& id) {
        st.rules->room_gone(id, st.out);
        st.run_effects();
      },
      [&st](hibernate_atom, const std::string& id) {
        st.rules->hibernate(id, st.out);
        st.run_effects();
      },
      [&st](reinstate_atom, const std::string& id) {
        st.rules->reinstate(id, st.out);
        st.run_effects();
      },
      [&st](parked_atom, const std::string& id, std::string& image) {
        st.rules->parked(id, std::move(image));
      },
      [&st](peer_up_atom, std::uint64_t index, caf::actor& directory) {
        st.rules->peer_up(index);
        if (index < st.peers.size()) st.peers[index] = std::move(directory);
      },
      [&st](peer_down_atom, std::uint64_t index) {
        st.rules->peer_down(index);
        if (index < st.peers.size()) st.peers[index] = nullptr;
      },
      [&st](cluster_hello_atom, const std::string& fingerprint) {
        return st.rules->same_cluster(fingerprint);
      },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& system, directory_config config) {
  return system.spawn(directory_actor, std::move(config));
}

}  // namespace rooms
