// The gateway actor's behavior: hand what arrives to gateway_state, quit when it is finished.
#include "actors/gateway/gateway_actor.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "actors/gateway/gateway_state.hpp"
#include "actors/gateway/remote_holders.hpp"
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

  void route(list_call call) override {
    call.from.reply_to = caf::actor_cast<caf::actor>(self_);
    self_->send(directory_, list_atom::value, std::move(call));
  }

  void route_direct(const caf::actor& room, room_call call) override {
    call.from.reply_to = caf::actor_cast<caf::actor>(self_);
    self_->send(room, room_call_atom::value, std::move(call));
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
  /// Room actors on other nodes that this gateway follows rooms on (it monitors them).
  remote_holders holders;
  /// An (expire_atom) is on its way.
  bool expiry_scheduled = false;
  /// A (gw_deadline_atom) is on its way.
  bool deadline_armed = false;
};

using gateway_actor_type = caf::stateful_actor<gateway_actor_state>;

// Calls on other nodes' rooms have deadlines: one timer at a time, for the earliest.
void schedule_expiry(gateway_actor_type* self) {
  auto& st = self->state;
  if (st.expiry_scheduled) return;
  auto next = st.logic->next_deadline();
  if (!next) return;
  st.expiry_scheduled = true;
  auto delay = std::max(*next - call_clock::now(), call_clock::duration::zero());
  self->delayed_send(self, delay, expire_atom::value);
}

// At most one message deadline timer at a time: a message that began while one ran gets its
// own when that one expires, so a message has between one and two timeouts to arrive.
void arm_deadline(gateway_actor_type* self) {
  auto& st = self->state;
  if (st.deadline_armed) return;
  auto watched = st.logic->deadline_watch();
  if (!watched) return;
  st.deadline_armed = true;
  self->delayed_send(self, st.config->message_timeout, gw_deadline_atom::value, *watched);
}

void after_message(gateway_actor_type* self) {
  if (self->state.logic->finished()) return self->quit();
  // Answers wait while more messages are queued, so that a burst leaves in one system call.
  if (self->mailbox().empty()) self->state.link->flush();
  schedule_expiry(self);
  arm_deadline(self);
}

// A subscription served by a room actor on another node: watch that actor, so that losing
// its node ends the subscription with `unavailable` instead of silence.
void watch_holder(gateway_actor_type* self, const call_reply& reply) {
  if (!reply.subscribed_room || !reply.holder || reply.holder.node() == self->node()) return;
  auto& st = self->state;
  if (st.holders.hold(*reply.subscribed_room, reply.holder.address())) self->monitor(reply.holder);
  if (st.holders.rooms() > 64 && st.holders.rooms() > 2 * st.logic->followed_rooms()) {
    for (auto& idle : st.holders.prune([&](const std::string& r) { return st.logic->follows(r); }))
      self->demonitor(idle);
  }
}

void holder_down(gateway_actor_type* self, const caf::down_msg& down) {
  auto rooms = self->state.holders.lost(down.source);
  // A room actor that stops normally was deleted: its `deleted` event ended the subscription.
  if (down.reason == caf::exit_reason::normal) return;
  for (const auto& room : rooms) self->state.logic->on_room_unreachable(room);
}

caf::behavior gateway_actor(gateway_actor_type* self, std::shared_ptr<connection_link> link,
                            std::shared_ptr<const gateway_config> config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.link = std::move(link);
  st.router.emplace(self, st.config->directory);
  st.logic.emplace(*st.config, *st.link, *st.router);
  arm_deadline(self);
  self->set_down_handler([self](caf::down_msg& down) {
    holder_down(self, down);
    after_message(self);
  });
  return {
      [self](gw_data_atom, std::string& bytes) {
        self->state.logic->on_data(std::move(bytes));
        after_message(self);
      },
      [self](gw_resume_atom) {
        self->state.logic->on_resume();
        after_message(self);
      },
      [self](gw_eof_atom) {
        self->state.logic->on_eof();
        after_message(self);
      },
      [self](gw_closed_atom) { self->quit(); },
      [self](reply_atom, call_reply& reply) {
        watch_holder(self, reply);
        self->state.logic->on_reply(reply);
        after_message(self);
      },
      [self](event_atom, const room_event& event) {
        self->state.logic->on_event(event);
        after_message(self);
      },
      // Answered after the gateway forgot the grant: every direct call it made on the room is
      // in the room's mailbox by then.
      [self](revoke_atom, const std::string& room) {
        self->state.logic->on_revoke(room,
                                     caf::actor_cast<caf::actor_addr>(self->current_sender()));
        // Answers queued before it waited for the mailbox to empty: this may be the last message.
        after_message(self);
        return revoke_atom::value;
      },
      [self](gw_deadline_atom, std::uint64_t watched) {
        self->state.deadline_armed = false;
        self->state.logic->on_deadline(watched);
        after_message(self);
      },
      [self](expire_atom) {
        self->state.expiry_scheduled = false;
        self->state.logic->expire_overdue(call_clock::now());
        after_message(self);
      },
  };
}

}  // namespace

caf::actor spawn_gateway(caf::actor_system& system, std::shared_ptr<connection_link> link,
                         std::shared_ptr<const gateway_config> config) {
  return system.spawn(gateway_actor, std::move(link), std::move(config));
}

}  // namespace rooms
