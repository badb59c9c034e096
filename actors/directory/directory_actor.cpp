// The directory actor: gives each message to directory_state (the rules) and carries out the
// effects it returns: spawning room actors, sending calls and replies, asking the store reader.
#include "actors/directory/directory_actor.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/directory/directory_state.hpp"
#include "actors/directory/list_merge.hpp"
#include "actors/directory/room_key.hpp"
#include "actors/messages.hpp"
#include "actors/replies.hpp"
#include "actors/room/room_actor.hpp"
#include "actors/store_reads.hpp"
#include "protocol/value_msgpack.hpp"

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
    adopt(e.room,
          spawn_room_actor(self->system(), std::move(e.state), caf::actor{self}, config.persistence,
                           config.park_after, config.counters, config.index));
    self->send(actors[e.room], create_atom::value, std::move(e.creator));
  }
  void run(fx::spawn_unparked& e) {
    adopt(e.room, spawn_room_actor(self->system(), std::move(e.state), caf::actor{self}, nullptr,
                                   config.park_after, config.counters, config.index, false));
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

  // -- the room index: list and expiry -----------------------------------------------------------

  /// Runs `read` on a view of the node's index: on the store reader's thread for a durable
  /// node (no actor waits for the disk), here for the memory index.
  void read_index(store_reader::index_read read) {
    if (config.persistence) return config.persistence->reader->read_index(std::move(read));
    if (config.index) return read(*config.index->view());
    memory_index none;
    read(*none.view());
  }

  void read_page(std::uint64_t ticket, list_query query) {
    read_index([me = caf::actor{self}, ticket, query = std::move(query)](index_view& view) {
      auto page = std::make_shared<result<list_page>>(find_rooms(view, query));
      caf::anon_send(me, list_read_atom::value, list_read{ticket, std::move(page)});
    });
  }

  /// A `list` from a gateway: this node's page, and every peer's.
  void list(list_call& call) {
    const std::uint64_t ticket = next_list++;
    const std::size_t nodes = config.placement ? config.placement->size() : 1;
    auto merge = std::make_shared<list_merge>(call.query.limit, nodes);
    lists.emplace(ticket, pending_list{merge, call.from, {}});
    const std::string query = nodes > 1 ? to_msgpack_bytes(list_query_params(call.query)) : "";
    for (std::size_t i = 0; config.placement && i < nodes; ++i) {
      if (i == config.placement->self()) continue;
      std::string name = config.placement->node(i).name;
      if (i >= peers.size() || !peers[i]) {
        merge->unavailable(std::move(name));
        continue;
      }
      self->request(peers[i], config.call_timeout, list_part_atom::value, query)
          .then(
              [this, ticket, name](std::string& bytes) {
                auto page = decode_list_page(bytes);
                peer_answered(ticket, name, page.ok() ? &*page : nullptr);
              },
              [this, ticket, name](caf::error&) { peer_answered(ticket, name, nullptr); });
    }
    read_page(ticket, std::move(call.query));
  }

  void peer_answered(std::uint64_t ticket, const std::string& name, list_page* page) {
    auto it = lists.find(ticket);
    if (it == lists.end() || !it->second.merge) return;
    if (page != nullptr)
      it->second.merge->add(std::move(*page));
    else
      it->second.merge->unavailable(name);
    finish_list(it);
  }

  /// A peer's part of a `list` it took: this node's page.
  caf::response_promise list_part(const std::string& query) {
    auto promise = self->make_response_promise();
    auto params = value_from_msgpack_bytes(query, 16);
    result<list_query> parsed = rooms_error{error_code::invalid_argument, "not a list query"};
    if (params && params->is_map()) parsed = read_list_query(params->as_map());
    if (!parsed) {
      promise.deliver(caf::make_error(caf::sec::invalid_argument, parsed.error().message));
      return promise;
    }
    const std::uint64_t ticket = next_list++;
    lists.emplace(ticket, pending_list{nullptr, {}, promise});
    read_page(ticket, std::move(*parsed));
    return promise;
  }

  void page_read(list_read& read) {
    auto it = lists.find(read.ticket);
    if (it == lists.end()) return;
    result<list_page>& page = *read.page;
    if (!it->second.merge) {
      if (page)
        it->second.promise.deliver(encode_list_page(*page));
      else
        it->second.promise.deliver(caf::make_error(caf::sec::runtime_error, page.error().message));
      lists.erase(it);
      return;
    }
    if (page)
      it->second.merge->add(std::move(*page));
    else
      it->second.merge->failed(page.error());
    finish_list(it);
  }

  template <class Iterator>
  void finish_list(Iterator it) {
    if (!it->second.merge->complete()) return;
    const caller& to = it->second.to;
    if (to.wants_reply && to.reply_to)
      self->send(to.reply_to, reply_atom::value, encode_reply(to, it->second.merge->answer()));
    lists.erase(it);
  }

  /// Every config.expiry_every: reads the deadlines that passed (one read at a time).
  void read_due() {
    if (reading_due || (!config.persistence && !config.index)) return;
    reading_due = true;
    const std::uint64_t now = wall_clock_ms();
    read_index([me = caf::actor{self}, now](index_view& view) {
      auto due = std::make_shared<result<std::vector<due_room>>>(due_rooms(view, now, 1000));
      caf::anon_send(me, expiry_tick_atom::value, due_read{std::move(due), now});
    });
  }

  void due_found(due_read& read) {
    reading_due = false;
    if (read.due->ok()) rules->expiry_due(**read.due, read.now_ms, out);
    run_effects();
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
  /// `list` calls waiting for pages: a gateway's (merge set) or a peer's (promise set).
  struct pending_list {
    std::shared_ptr<list_merge> merge;
    caller to;
    caf::response_promise promise;
  };
  std::unordered_map<std::uint64_t, pending_list> lists;
  std::uint64_t next_list = 1;
  bool reading_due = false;
};

using directory_actor_type = caf::stateful_actor<directory_actor_state>;

caf::behavior directory_actor(directory_actor_type* self, directory_config config) {
  self->state.start(std::move(config));
  auto& st = self->state;
  self->send(self, expiry_tick_atom::value);
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
      [&st](list_atom, list_call& call) { st.list(call); },
      [&st](list_part_atom, const std::string& query) { return st.list_part(query); },
      [&st](list_read_atom, list_read& read) { st.page_read(read); },
      [self, &st](expiry_tick_atom) {
        st.read_due();
        self->delayed_send(self, st.config.expiry_every, expiry_tick_atom::value);
      },
      [&st](expiry_tick_atom, due_read& read) { st.due_found(read); },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& system, directory_config config) {
  return system.spawn(directory_actor, std::move(config));
}

}  // namespace rooms
