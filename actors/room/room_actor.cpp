// The room actor: gives each message to room_actor_state (the rules) and carries out the effects
// it returns.
#include "actors/room/room_actor.hpp"

#include <caf/all.hpp>

#include "actors/room/room_actor_state.hpp"
#include "actors/store_reads.hpp"

namespace rooms {

namespace {

namespace fx = room_effects;

// The actor around room_actor_state: it gives each message to the rules and carries out the
// effects they return, in order.
struct room_actor_shell {
  static inline const char* name = "room";

  explicit room_actor_shell(caf::event_based_actor* owner) : self(owner), rules(owner->node()) {}

  // A room that stops with entries (the node stopping) takes them out of the node's count.
  ~room_actor_shell() {
    if (counters && counted_presence != 0)
      counters->presence.fetch_sub(static_cast<std::int64_t>(counted_presence),
                                   std::memory_order_relaxed);
  }
  room_actor_shell(const room_actor_shell&) = delete;
  room_actor_shell& operator=(const room_actor_shell&) = delete;

  /// Where the rules put their effects: one vector per worker thread, not per room (its
  /// capacity would cost every room actor hundreds of bytes). Handed out per message: the actor
  /// may run on another thread next time.
  static room_actor_state::effects& out() {
    static thread_local room_actor_state::effects effects;
    return effects;
  }

  /// Carries out what the last message made the rules decide.
  void run_effects() {
    auto& effects = out();
    // An effect never calls the rules or runs another actor, so `effects` does not change
    // while it is walked.
    for (auto& effect : effects) std::visit([this](auto& e) { run(e); }, effect);
    effects.clear();
    count_presence();
  }

  /// Moves the node's presence count by what this message changed (one size compare).
  void count_presence() {
    const std::size_t now = rules.presence().size();
    if (!counters || now == counted_presence) return;
    counters->presence.fetch_add(
        static_cast<std::int64_t>(now) - static_cast<std::int64_t>(counted_presence),
        std::memory_order_relaxed);
    counted_presence = now;
  }

  void run(fx::reply& e) {
    if (!e.to) return;
    if (e.grant) e.answer.grant = caf::actor_cast<caf::actor>(self);
    if (e.holder) e.answer.holder = caf::actor_cast<caf::actor>(self);
    self->send(e.to, reply_atom::value, std::move(e.answer));
  }
  void run(fx::broadcast& e) {
    // The room makes the frames its subscribers take (room_actor_state::broadcast); should one
    // be missing, the other goes rather than none.
    for (const auto& sub : *e.to)
      self->send(sub.who, (sub.patch && !e.patch_event.empty()) || e.event.empty() ? e.patch_event
                                                                                   : e.event);
  }
  void run(fx::monitor& e) { self->monitor(e.who); }
  void run(fx::demonitor& e) { self->demonitor(e.who); }
  void run(fx::store& e) {
    persistence->writer->submit(std::move(e.write), [me = caf::actor_cast<caf::actor>(self)](
                                                        const std::optional<rooms_error>& error) {
      caf::anon_send(me, stored_atom::value, write_outcome{error});
    });
  }
  void run(fx::load& e) {
    load_for(*persistence->reader, caf::actor_cast<caf::actor>(self), e.id, e.ticket);
  }
  void run(fx::tell_directory& e) {
    switch (e.kind) {
      case fx::tell_directory::gone:
        return self->send(directory, room_gone_atom::value, rules.id());
      case fx::tell_directory::hibernate:
        return self->send(directory, hibernate_atom::value, rules.id());
      case fx::tell_directory::reinstate:
        return self->send(directory, reinstate_atom::value, rules.id());
      case fx::tell_directory::parked:
        return self->send(directory, parked_atom::value, rules.id(), std::move(e.image));
    }
  }
  void run(fx::revoke& e) {
    // A gateway that stops before it answers fails the request: that too ends its grant.
    self->request(e.gateway, caf::infinite, revoke_atom::value, rules.id())
        .then(
            [this](revoke_atom) {
              rules.revoked(out());
              run_effects();
            },
            [this](caf::error&) {
              rules.revoked(out());
              run_effects();
            });
  }
  void run(fx::tick& e) { self->delayed_send(self, e.after, idle_tick_atom::value); }
  void run(fx::presence_tick& e) {
    self->delayed_send(self,
                       std::chrono::duration_cast<std::chrono::microseconds>(e.after) +
                           std::chrono::microseconds{1},
                       presence_tick_atom::value,
                       static_cast<std::int64_t>(e.at.time_since_epoch().count()));
  }
  void run(fx::index& e) {
    if (index) index->apply(e.change);
  }
  void run(fx::expired&) {
    if (counters) counters->rooms_expired.fetch_add(1, std::memory_order_relaxed);
  }
  void run(fx::stop&) { self->quit(); }

  caf::event_based_actor* self;
  room_actor_state rules;
  caf::actor directory;
  std::shared_ptr<const room_persistence> persistence;
  std::shared_ptr<node_counters> counters;
  std::shared_ptr<memory_index> index;
  std::size_t counted_presence = 0;
};

using room_actor_type = caf::stateful_actor<room_actor_shell>;

caf::behavior room_behavior(room_actor_type* self) {
  auto& st = self->state;
  self->set_down_handler([&st](caf::down_msg& msg) {
    st.rules.gateway_down(msg.source, st.out());
    st.run_effects();
  });
  // Each handler gives the message to the rules, then carries out their effects.
  return {
      [&st](room_call_atom, room_call& call) {
        st.rules.handle(call, st.out());
        st.run_effects();
      },
      // The directory created this room and asks it to answer its creator.
      [&st](create_atom, const caller& from) {
        st.rules.answer_creator(from, st.out());
        st.run_effects();
      },
      [&st](stored_atom, const write_outcome& outcome) {
        st.rules.stored(outcome, st.out());
        st.run_effects();
      },
      [&st](loaded_atom, const load_outcome& outcome) {
        st.rules.reloaded(outcome, st.out());
        st.run_effects();
      },
      [&st](presence_tick_atom, std::int64_t at) {
        const room_actor_state::clock::time_point when{room_actor_state::clock::duration{at}};
        st.rules.presence_tick(when, st.out());
        st.run_effects();
      },
      [&st](idle_tick_atom) {
        st.rules.idle_tick(st.out());
        st.run_effects();
      },
      [&st](hibernate_atom) {
        st.rules.hibernation_granted(st.out());
        st.run_effects();
      },
      // The directory has forgotten this room (deleted, or not loadable): nothing more arrives
      // through it, and the room stops once no gateway may call it directly.
      [&st](room_gone_atom) {
        st.rules.directory_forgot(st.out());
        st.run_effects();
      },
  };
}

caf::behavior created_room_actor(room_actor_type* self, room_state state, caf::actor directory,
                                 std::shared_ptr<const room_persistence> persistence,
                                 std::chrono::milliseconds park_after,
                                 std::shared_ptr<node_counters> counters,
                                 std::shared_ptr<memory_index> index, bool fresh) {
  auto& st = self->state;
  st.counters = std::move(counters);
  st.directory = std::move(directory);
  st.persistence = persistence;
  st.index = std::move(index);
  st.rules.start_created(std::move(state), std::move(persistence), park_after, st.out(), fresh,
                         st.index != nullptr);
  st.run_effects();
  return room_behavior(self);
}

caf::behavior stored_room_actor(room_actor_type* self, std::string id,
                                std::shared_ptr<const limits> room_limits, caf::actor directory,
                                std::shared_ptr<const room_persistence> persistence,
                                std::shared_ptr<result<std::optional<stored_room>>> loaded,
                                std::shared_ptr<node_counters> counters) {
  auto& st = self->state;
  st.counters = std::move(counters);
  st.directory = std::move(directory);
  st.persistence = persistence;
  st.rules.start_stored(id, std::move(room_limits), std::move(persistence), *loaded, st.out());
  st.run_effects();
  return room_behavior(self);
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& system, room_state state, caf::actor directory,
                            std::shared_ptr<const room_persistence> persistence,
                            std::chrono::milliseconds park_after,
                            std::shared_ptr<node_counters> counters,
                            std::shared_ptr<memory_index> index, bool fresh) {
  return system.spawn(created_room_actor, std::move(state), std::move(directory),
                      std::move(persistence), park_after, std::move(counters), std::move(index),
                      fresh);
}

caf::actor spawn_stored_room_actor(caf::actor_system& system, std::string id,
                                   std::shared_ptr<const limits> room_limits, caf::actor directory,
                                   std::shared_ptr<const room_persistence> persistence,
                                   std::shared_ptr<result<std::optional<stored_room>>> loaded,
                                   std::shared_ptr<node_counters> counters) {
  return system.spawn(stored_room_actor, std::move(id), std::move(room_limits),
                      std::move(directory), std::move(persistence), std::move(loaded),
                      std::move(counters));
}

}  // namespace rooms
