// What a room actor does with each message: apply calls to the room, hold replies and events
// until the changes they show are stored, reload the room when a write fails, hibernate.
#include "actors/room/room_actor_state.hpp"

#include <algorithm>
#include <limits>

#include <caf/all.hpp>

#include "actors/replies.hpp"
#include "actors/storage/room_codec.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

void room_actor_state::start_created(room_state room, caf::actor directory,
                                     std::shared_ptr<const room_persistence> persistence,
                                     std::chrono::milliseconds park_after) {
  id_ = room.id();
  key_ = room_key::of(id_).value_or(room_key{});
  park_after_ = park_after;
  limits_ = room.room_limits();
  directory_ = std::move(directory);
  persistence_ = std::move(persistence);
  if (persistence_) {
    journal_ = std::make_unique<room_journal>(id_, persistence_->folding, 0, 0);
    journal_->created(room.image());
  }
  room_.emplace(std::move(room));
  submit_next_write();
  schedule_tick();
}

void room_actor_state::start_stored(const std::string& id,
                                    std::shared_ptr<const limits> room_limits, caf::actor directory,
                                    std::shared_ptr<const room_persistence> persistence,
                                    result<std::optional<stored_room>>& loaded) {
  id_ = id;
  key_ = room_key::of(id_).value_or(room_key{});
  limits_ = std::move(room_limits);
  directory_ = std::move(directory);
  persistence_ = std::move(persistence);
  adopt(loaded);
  schedule_tick();
}

void room_actor_state::reload() {
  waiting_ = std::make_unique<std::vector<room_call>>();
  const std::uint64_t ticket = ++reload_ticket_;
  auto me = caf::actor_cast<caf::actor>(self_);
  persistence_->reader->load(id_, [me, id = id_, ticket](result<std::optional<stored_room>> read) {
    caf::anon_send(
        me, loaded_atom::value,
        load_outcome{id, ticket,
                     std::make_shared<result<std::optional<stored_room>>>(std::move(read))});
  });
}

void room_actor_state::reloaded(const load_outcome& outcome) {
  if (!waiting_ || outcome.ticket != reload_ticket_) return;
  auto waiting = std::move(waiting_);
  room_.reset();
  journal_.reset();
  adopt(*outcome.loaded);
  for (auto& call : *waiting) handle(call);
}

void room_actor_state::adopt(result<std::optional<stored_room>>& loaded) {
  // Taken from the read: its message has this actor as its only receiver.
  if (loaded && !*loaded) {
    broken_ =
        std::make_unique<rooms_error>(error_code::not_found, "room " + id_ + " does not exist");
    return forget_me();
  }
  std::optional<result<room_state>> restored;
  std::uint64_t image_version = 0;
  if (loaded) {
    image_version = (*loaded)->image.version;
    restored.emplace(
        room_state::restore(std::move((*loaded)->image), std::move((*loaded)->events), limits_));
  }
  const rooms_error* failure = !loaded           ? &loaded.error()
                               : !restored->ok() ? &restored->error()
                                                 : nullptr;
  if (failure != nullptr) {
    broken_ = std::make_unique<rooms_error>(
        error_code::unavailable, "room " + id_ + " cannot be loaded: " + failure->message);
    return forget_me();
  }
  journal_ = std::make_unique<room_journal>(id_, persistence_->folding, (*restored)->version(),
                                            image_version);
  room_.emplace(std::move(**restored));
}

void room_actor_state::forget_me() {
  self_->send(directory_, room_gone_atom::value, id_);
  revoke_grants();
}

void room_actor_state::directory_forgot() {
  forgotten_ = true;
  if (revocations_pending_ == 0) self_->quit();
}

void room_actor_state::grant(const caller& to, call_reply& answer) {
  if (to.direct || !to.reply_to || hibernating_ || broken_ || !room_ || room_->deleted()) return;
  if (to.reply_to.node() != self_->node()) return;
  const caf::actor_addr gateway = to.reply_to.address();
  if (std::find(granted_.begin(), granted_.end(), gateway) != granted_.end()) return;
  granted_.push_back(gateway);
  answer.grant = caf::actor_cast<caf::actor>(self_);
}

void room_actor_state::revoke_grants() {
  for (const auto& address : granted_) {
    auto gateway = caf::actor_cast<caf::actor>(address);
    if (!gateway) continue;  // gone: it calls nobody
    ++revocations_pending_;
    // A gateway that stops before it answers fails the request: that too ends its grant.
    self_->request(gateway, caf::infinite, revoke_atom::value, id_)
        .then([this](revoke_atom) { revoked(); }, [this](caf::error&) { revoked(); });
  }
  granted_.clear();
}

void room_actor_state::revoked() {
  if (--revocations_pending_ > 0) return;
  if (hibernating_ && directory_agreed_) finish_hibernation();
  if (forgotten_) self_->quit();
}

void room_actor_state::handle(room_call& call) {
  if (waiting_) return waiting_->push_back(std::move(call));
  ++calls_since_tick_;
  if (std::holds_alternative<unsubscribe_command>(call.command)) return unsubscribe(call.from);
  if (broken_) return reply_later(call.from, *broken_);
  if (auto* sub = std::get_if<subscribe_command>(&call.command)) return subscribe(call.from, *sub);
  auto outcome = apply(call.command);
  if (!outcome) return reply_later(call.from, outcome.error());
  const bool changed = outcome->change.has_value();
  if (changed) record_change(std::move(*outcome->change));
  reply_later(call.from, std::move(outcome->result));
  // Without subscribers, now or by the time this event is released, nobody needs its frame.
  if (changed && (!subscribers_.empty() || pending_subscribes_ > 0)) {
    room_event ev{id_, room_->version(), room_->deleted(),
                  encode_packed_notification("event", room_->events().newest()), key_};
    emit({output::broadcast,
          room_->version(),
          {},
          {},
          caf::make_message(event_atom::value, std::move(ev))});
  }
  if (changed && room_->deleted()) emit({output::forget, room_->version(), {}, {}, {}});
  submit_next_write();
}

result<room_outcome> room_actor_state::apply(room_command& command) {
  return std::visit(
      [&](auto& cmd) -> result<room_outcome> {
        using command_type = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<command_type, join_command>)
          return room_->join(cmd);
        else if constexpr (std::is_same_v<command_type, leave_command>)
          return room_->leave(cmd);
        else if constexpr (std::is_same_v<command_type, edit_command>)
          return room_->edit(std::move(cmd));
        else if constexpr (std::is_same_v<command_type, delete_command>)
          return room_->remove(cmd);
        else
          return room_->get();
      },
      command);
}

void room_actor_state::record_change(event_record change) {
  if (!journal_) return;
  if (room_->deleted()) return journal_->erased(room_->version());
  // The retained event is the change's encoding: its size is the record's without a walk.
  journal_->record(std::move(change), room_->events().newest().size());
}

void room_actor_state::answer_creator(const caller& from) { reply_later(from, room_->snapshot()); }

void room_actor_state::subscribe(const caller& from, const subscribe_command& cmd) {
  auto outcome = room_->subscribe(cmd);
  call_reply answer = encode_reply(from, outcome.ok() ? result<value>{std::move(outcome->result)}
                                                      : result<value>{outcome.error()});
  if (!outcome.ok()) {
    if (from.wants_reply) emit({output::reply, room_->version(), from, std::move(answer), {}});
    return;
  }
  answer.subscribed_room = id_;
  answer.subscribed_version = room_->version();
  answer.holder = caf::actor_cast<caf::actor>(self_);
  emit({output::subscribe, room_->version(), from, std::move(answer), {}});
}

void room_actor_state::unsubscribe(const caller& from) {
  auto it = std::find(subscribers_.begin(), subscribers_.end(), from.reply_to);
  if (it != subscribers_.end()) {
    self_->demonitor(*it);
    subscribers_.erase(it);
  }
  value_map unsubscribed;
  unsubscribed.insert_or_assign("room", value::string(id_));
  unsubscribed.insert_or_assign("subscribed", value::boolean(false));
  reply_later(from, value::map(std::move(unsubscribed)));
}

void room_actor_state::reply_later(const caller& from, const result<value>& answer) {
  if (!from.wants_reply || !from.reply_to) return;
  const std::uint64_t needed = room_ ? room_->version() : 0;
  emit({output::reply, needed, from, encode_reply(from, answer), {}});
}

std::uint64_t room_actor_state::durable_version() const {
  return journal_ ? journal_->durable_version() : std::numeric_limits<std::uint64_t>::max();
}

void room_actor_state::emit(output out) {
  // Outputs leave in the order they were made, each once the room is stored far enough.
  if (outbox_.empty() && out.needed <= durable_version()) return perform(out);
  if (out.kind == output::subscribe) ++pending_subscribes_;
  outbox_.push_back(std::move(out));
}

void room_actor_state::release() {
  while (!outbox_.empty() && outbox_.front().needed <= durable_version()) {
    if (outbox_.front().kind == output::subscribe) --pending_subscribes_;
    perform(outbox_.front());
    outbox_.pop_front();
  }
}

void room_actor_state::perform(output& out) {
  switch (out.kind) {
    case output::reply:
      grant(out.to, out.answer);
      self_->send(out.to.reply_to, reply_atom::value, std::move(out.answer));
      break;
    case output::subscribe:
      if (out.to.reply_to && std::find(subscribers_.begin(), subscribers_.end(), out.to.reply_to) ==
                                 subscribers_.end()) {
        subscribers_.push_back(out.to.reply_to);
        self_->monitor(out.to.reply_to);
      }
      // Sent even when the caller wants no reply: it must learn that it now follows the room.
      grant(out.to, out.answer);
      self_->send(out.to.reply_to, reply_atom::value, std::move(out.answer));
      break;
    case output::broadcast:
      // One message shared by every subscriber: the frame is encoded and stored once.
      for (auto& sub : subscribers_) self_->send(sub, out.event);
      break;
    case output::forget:
      for (auto& sub : subscribers_) self_->demonitor(sub);
      subscribers_.clear();
      forget_me();
      break;
  }
}

void room_actor_state::submit_next_write() {
  if (!journal_) return;
  auto write = journal_->next_write([this] { return room_->image(); }, room_->first_replayable(),
                                    room_->data_bytes());
  if (!write) return;
  auto me = caf::actor_cast<caf::actor>(self_);
  persistence_->writer->submit(std::move(*write), [me](const std::optional<rooms_error>& error) {
    caf::anon_send(me, stored_atom::value, write_outcome{error});
  });
}

void room_actor_state::stored(const write_outcome& outcome) {
  if (!outcome.error) {
    journal_->written();
    release();
    return submit_next_write();
  }
  journal_->failed();
  fail_pending(rooms_error{error_code::unavailable, "storage failed, the change was not applied: " +
                                                        outcome.error->message});
  reload();
}

void room_actor_state::fail_pending(const rooms_error& error) {
  for (auto& out : outbox_) {
    if (out.kind != output::reply && out.kind != output::subscribe) continue;
    if (!out.to.reply_to || (!out.to.wants_reply && out.kind == output::reply)) continue;
    self_->send(out.to.reply_to, reply_atom::value, encode_reply(out.to, result<value>{error}));
  }
  outbox_.clear();
  pending_subscribes_ = 0;
}

void room_actor_state::drop_subscriber(const caf::actor_addr& who) {
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [&](const caf::actor& sub) { return sub.address() == who; }),
                     subscribers_.end());
}

bool room_actor_state::idle_now() const {
  const bool can_rest = persistence_ ? journal_ && journal_->settled() : parks();
  // Subscribes still waiting are in the outbox.
  return can_rest && !broken_ && !waiting_ && subscribers_.empty() && outbox_.empty() &&
         !hibernating_ && room_ && !room_->deleted();
}

bool room_actor_state::parks() const { return !persistence_ && park_after_.count() > 0; }

void room_actor_state::schedule_tick() {
  if (persistence_)
    self_->delayed_send(self_, persistence_->idle_timeout, idle_tick_atom::value);
  else if (parks())
    self_->delayed_send(self_, park_after_, idle_tick_atom::value);
}

void room_actor_state::idle_tick() {
  if (calls_since_tick_ == 0 && idle_now()) {
    hibernating_ = true;
    self_->send(directory_, hibernate_atom::value, id_);
    revoke_grants();
  }
  calls_since_tick_ = 0;
  schedule_tick();
}

void room_actor_state::hibernation_granted() {
  directory_agreed_ = true;
  if (revocations_pending_ == 0) finish_hibernation();
}

// Calls that came straight from gateways before they gave their grants back have been handled
// by now: they may have made the room busy again.
void room_actor_state::finish_hibernation() {
  hibernating_ = false;
  directory_agreed_ = false;
  // Deleted meanwhile by a direct call: the directory forgets the room, which then stops.
  if (room_ && room_->deleted()) return;
  const bool still_idle =
      subscribers_.empty() && outbox_.empty() && (parks() || (journal_ && journal_->settled()));
  if (!still_idle) return self_->send(directory_, reinstate_atom::value, id_);
  if (parks()) {
    // Before the actor stops: the directory has the image before it sees the actor go. The id
    // is left out: the directory holds the image under it.
    room_image image = room_->image();
    image.id.clear();
    self_->send(directory_, parked_atom::value, id_, encode_room_image(image));
  }
  self_->quit();
}

}  // namespace rooms
