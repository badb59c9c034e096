// The gateway actor's behavior: hand what arrives to gateway_state, quit when it is finished.
#include "actors/gateway/gateway_actor.hpp"

#include <optional>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "actors/gateway/gateway_state.hpp"
#include "actors/messages.hpp"

namespace rooms {

namespace {

// Sends a gateway's calls to the directory, with the gateway as the one to answer.
class actor_router final : public call_router {
 public:
  actor_router(caf::event_based_actor* self, caf::actor directory)
      : self_(self), directory_(std::move(directory)) {}

  void route(create_call call) override {
    call.from.reply_to = caf::actor_cast<caf::actor>(self_);
    self_->send(directory_, create_atom::value, std::move(call));
  }

  void route(room_call call) override {
    call.from.reply_to = caf::actor_cast<caf::actor>(self_);
    self_->send(directory_, room_call_atom::value, std::move(call));
  }

 private:
  caf::event_based_actor* self_;
  caf::actor directory_;
};

// gateway -> itself: the message deadline armed for the value given
// (gateway_state::deadline_watch).
using gw_deadline_atom = caf::atom_constant<caf::atom("gwdeadline")>;

struct gateway_actor_state {
  static inline const char* name = "gateway";

  // Destroyed bottom-up: `logic` goes first, while the link and router it uses still exist.
  std::shared_ptr<const gateway_config> config;
  std::shared_ptr<connection_link> link;
  std::optional<actor_router> router;
  std::optional<gateway_state> logic;
  bool deadline_armed = false;
};

using gateway_actor_type = caf::stateful_actor<gateway_actor_state>;

void quit_if_finished(gateway_actor_type* self) {
  if (self->state.logic->finished()) self->quit();
}

// At most one deadline timer at a time: a message that began while one ran gets its own
// when that one expires, so a message has between one and two timeouts to arrive.
void arm_deadline(gateway_actor_type* self) {
  auto& st = self->state;
  if (st.deadline_armed) return;
  auto watched = st.logic->deadline_watch();
  if (!watched) return;
  st.deadline_armed = true;
  self->delayed_send(self, st.config->message_timeout, gw_deadline_atom::value, *watched);
}

caf::behavior gateway_actor(gateway_actor_type* self, std::shared_ptr<connection_link> link,
                            std::shared_ptr<const gateway_config> config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.link = std::move(link);
  st.router.emplace(self, st.config->directory);
  st.logic.emplace(*st.config, *st.link, *st.router);
  arm_deadline(self);
  return {
      [self](gw_data_atom, std::string& bytes) {
        self->state.logic->on_data(std::move(bytes));
        quit_if_finished(self);
        arm_deadline(self);
      },
      [self](gw_deadline_atom, std::uint64_t watched) {
        self->state.deadline_armed = false;
        self->state.logic->on_deadline(watched);
        quit_if_finished(self);
        arm_deadline(self);
      },
      [self](gw_eof_atom) {
        self->state.logic->on_eof();
        quit_if_finished(self);
      },
      [self](gw_closed_atom) { self->quit(); },
      [self](reply_atom, call_reply& reply) {
        self->state.logic->on_reply(reply);
        quit_if_finished(self);
      },
      [self](event_atom, const room_event& event) {
        self->state.logic->on_event(event);
        quit_if_finished(self);
      },
  };
}

}  // namespace

caf::actor spawn_gateway(caf::actor_system& system, std::shared_ptr<connection_link> link,
                         std::shared_ptr<const gateway_config> config) {
  return system.spawn(gateway_actor, std::move(link), std::move(config));
}

}  // namespace rooms
