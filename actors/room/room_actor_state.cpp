// The rules of a room actor: apply calls to the room, hold replies and events until the
// changes they show are stored, reload the room when a write fails, grants, hibernation
// (room_actor_state.hpp).
#include "actors/room/room_actor_state.hpp"

#include <algorithm>
#include <limits>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

#include "actors/replies.hpp"
#include "actors/storage/room_codec.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_encoder.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace fx = room_effects;

// -- starting ----------------------------------------------------------------------------------

void room_actor_state::start_created(room_state room,
                                     std::shared_ptr<const room_persistence> persistence,
                                     std::chrono::milliseconds park_after, effects& out, bool fresh,
                                     bool memory_indexed) {
  id_ = room.id();
  key_ = room_key::of(id_).value_or(room_key{});
  park_after_ = park_after;
  limits_ = room.room_limits();
  persistence_ = std::move(persistence);
  if (persistence_) {
    journal_ = std::make_unique<room_journal>(id_, persistence_->folding, 0, 0);
    journal_->created(room.image());
  }
  memory_indexed_ = !persistence_ && memory_indexed;
  if (memory_indexed_ && !fresh) {
    indexed_ = std::make_unique<room_summary>(room.summary());
    indexed_revision_ = room.summary_revision();
  }
  room_.emplace(std::move(room));
  follow_index(out);
  schedule_tick(out);
}

void room_actor_state::start_stored(const std::string& id,
                                    std::shared_ptr<const limits> room_limits,
                                    std::shared_ptr<const room_persistence> persistence,
                                    result<std::optional<stored_room>>& loaded, effects& out) {
  id_ = id;
  key_ = room_key::of(id_).value_or(room_key{});
  limits_ = std::move(room_limits);
  persistence_ = std::move(persistence);
  adopt(loaded, out);
  schedule_tick(out);
}

void room_actor_state::reload(effects& out) {
  waiting_ = std::make_unique<std::vector<room_call>>();
  out.push_back(fx::load{id_, ++reload_ticket_});
}

void room_actor_state::reloaded(const load_outcome& outcome, effects& out) {
  if (!waiting_ || outcome.ticket != reload_ticket_) return;
  auto waiting = std::move(waiting_);
  room_.reset();
  journal_.reset();
  adopt(*outcome.loaded, out);
  for (auto& call : *waiting) handle(call, out);
}

void room_actor_state::adopt(result<std::optional<stored_room>>& loaded, effects& out) {
  // Taken from the read: its message has this actor as its only receiver.
  if (loaded && !*loaded) {
    broken_ =
        std::make_unique<rooms_error>(error_code::not_found, "room " + id_ + " does not exist");
    return forget_me(out);
  }
  std::optional<result<room_state>> restored;
  std::uint64_t image_version = 0;
  if (loaded) {
    image_version = (*loaded)->image.version;
    const auto& summary = (*loaded)->summary;
    restored.emplace(room_state::restore(std::move((*loaded)->image), std::move((*loaded)->events),
                                         limits_, summary ? &summary->clocks : nullptr));
  }
  const rooms_error* failure = !loaded           ? &loaded.error()
                               : !restored->ok() ? &restored->error()
                                                 : nullptr;
  if (failure != nullptr) {
    broken_ = std::make_unique<rooms_error>(
        error_code::unavailable, "room " + id_ + " cannot be loaded: " + failure->message);
    return forget_me(out);
  }
  journal_ = std::make_unique<room_journal>(id_, persistence_->folding, (*restored)->version(),
                                            image_version, std::move((*loaded)->summary));
  indexed_revision_ = unindexed;
  room_.emplace(std::move(**restored));
}

// -- calls -------------------------------------------------------------------------------------

void room_actor_state::handle(room_call& call, effects& out, clock::time_point now) {
  if (waiting_) return waiting_->push_back(std::move(call));
  ++calls_since_tick_;
  if (room_) room_->set_time(wall_clock_ms());
  if (std::holds_alternative<unsubscribe_command>(call.command)) return unsubscribe(call.from, out);
  if (broken_) return reply_later(call.from, *broken_, out);
  if (auto* sub = std::get_if<subscribe_command>(&call.command))
    return subscribe(call.from, *sub, out);
  if (auto* presence = std::get_if<presence_command>(&call.command))
    return set_presence(call.from, *presence, now, out);
  auto outcome = apply(call.command);
  if (!outcome) return reply_later(call.from, outcome.error(), out);
  if (auto* get = std::get_if<get_command>(&call.command); get && get->presence)
    outcome->result.as_map().insert_or_assign("presence", presence_.list());
  const bool changed = outcome->change.has_value();
  if (changed) record_change(std::move(*outcome->change));
  if (auto* expire = std::get_if<expire_command>(&call.command);
      expire && expire->due_check && changed)
    out.push_back(fx::expired{});
  reply_later(call.from, std::move(outcome->result), out);
  if (changed)
    broadcast([&] { return encode_packed_notification("event", room_->events().newest()); }, false,
              out, room_->events().newest_has_patch());
  if (changed && room_->deleted()) {
    // Deletion ends every entry with no presence notification: the `deleted` event says it.
    presence_.clear();
    release_owners(out);
    emit({output::forget, room_->version(), {}, {}, {}}, out);
  }
  if (auto* leave = std::get_if<leave_command>(&call.command); leave && changed) {
    // A user who leaves the room leaves its presence too, after the `left` event.
    announce_all(presence_.user_left(leave->user), out);
    release_owners(out);
  }
  follow_index(out);
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
        else if constexpr (std::is_same_v<command_type, set_meta_command>)
          return room_->set_meta(cmd);
        else if constexpr (std::is_same_v<command_type, expire_command>)
          return cmd.due_check ? room_->expire_if_due() : room_->expire(cmd);
        else
          return room_->get();
      },
      command);
}

void room_actor_state::record_change(event_record change) {
  if (!journal_) return;
  if (room_->deleted()) return journal_->erased(room_->version());
  // The retained event is the change's encoding: its size is the record's without a walk.
  journal_->record(std::move(change), room_->events().newest_bytes());
}

void room_actor_state::answer_creator(const caller& from, effects& out) {
  reply_later(from, room_->snapshot(), out);
}

void room_actor_state::subscribe(const caller& from, const subscribe_command& cmd, effects& out) {
  auto outcome = room_->subscribe(cmd);
  // The entries at the subscription's starting point: later notifications are relative to it.
  if (outcome.ok()) outcome->result.as_map().insert_or_assign("presence", presence_.list());
  call_reply answer = encode_reply(from, outcome.ok() ? result<value>{std::move(outcome->result)}
                                                      : result<value>{outcome.error()});
  if (!outcome.ok()) {
    if (from.wants_reply) emit({output::reply, room_->version(), from, std::move(answer), {}}, out);
    return;
  }
  answer.subscribed_room = id_;
  answer.subscribed_version = room_->version();
  output item{output::subscribe, room_->version(), from, std::move(answer), {}};
  item.patch = cmd.patch;
  emit(std::move(item), out);
}

void room_actor_state::unsubscribe(const caller& from, effects& out) {
  remove_subscriber(from.reply_to, out);
  value_map unsubscribed;
  unsubscribed.insert_or_assign("room", value::string(id_));
  unsubscribed.insert_or_assign("subscribed", value::boolean(false));
  reply_later(from, value::map(std::move(unsubscribed)), out);
}

void room_actor_state::reply_later(const caller& from, const result<value>& answer, effects& out) {
  if (!from.wants_reply || !from.reply_to) return;
  const std::uint64_t needed = room_ ? room_->version() : 0;
  emit({output::reply, needed, from, encode_reply(from, answer), {}}, out);
}

// -- subscribers -------------------------------------------------------------------------------

namespace {

room_subscribers::const_iterator find_subscriber(const room_subscribers& subs,
                                                 const caf::actor& who) {
  return std::find_if(subs.begin(), subs.end(),
                      [&](const room_subscriber& sub) { return sub.who == who; });
}

}  // namespace

bool room_actor_state::is_subscriber(const caf::actor& who) const {
  return subscribers_ && find_subscriber(*subscribers_, who) != subscribers_->end();
}

void room_actor_state::set_subscribers(std::shared_ptr<room_subscribers> next) {
  patch_subscribers_ = 0;
  if (next && next->empty()) next.reset();
  if (next)
    patch_subscribers_ = static_cast<std::size_t>(
        std::count_if(next->begin(), next->end(), [](const auto& sub) { return sub.patch; }));
  subscribers_ = std::move(next);
}

void room_actor_state::add_subscriber(const caf::actor& who, bool patch, effects& out) {
  if (!who) return;
  const auto found =
      subscribers_ ? find_subscriber(*subscribers_, who) : room_subscribers::const_iterator{};
  const bool known = subscribers_ && found != subscribers_->end();
  // Subscribing again restarts the subscription, with or without patches as it asks now; the
  // shared list is copied only when it changes.
  if (known && found->patch == patch) return;
  auto next = subscribers_ ? std::make_shared<room_subscribers>(*subscribers_)
                           : std::make_shared<room_subscribers>();
  if (known) {
    (*next)[static_cast<std::size_t>(found - subscribers_->begin())].patch = patch;
    return set_subscribers(std::move(next));
  }
  const bool watched = is_owner(who);
  next->push_back(room_subscriber{who, patch});
  set_subscribers(std::move(next));
  if (!watched) out.push_back(fx::monitor{who});
}

void room_actor_state::remove_subscriber(const caf::actor& who, effects& out) {
  if (!subscribers_) return;
  auto it = find_subscriber(*subscribers_, who);
  if (it == subscribers_->end()) return;
  if (!is_owner(who)) out.push_back(fx::demonitor{who});
  auto next = std::make_shared<room_subscribers>(*subscribers_);
  next->erase(next->begin() + (it - subscribers_->begin()));
  set_subscribers(std::move(next));
}

void room_actor_state::gateway_down(const caf::actor_addr& who, effects& out) {
  if (subscribers_) {
    auto next = std::make_shared<room_subscribers>(*subscribers_);
    next->erase(std::remove_if(next->begin(), next->end(),
                               [&](const auto& sub) { return sub.who.address() == who; }),
                next->end());
    set_subscribers(std::move(next));
  }
  auto owner = std::find_if(owners_.begin(), owners_.end(),
                            [&](const auto& o) { return o.first.address() == who; });
  if (owner == owners_.end()) return;
  const presence_owner number = owner->second;
  owners_.erase(owner);
  if (!room_ || room_->deleted()) return;
  room_->set_time(wall_clock_ms());
  announce_all(presence_.disconnect(number), out);
  follow_index(out);
}

// -- presence ----------------------------------------------------------------------------------

void room_actor_state::set_presence(const caller& from, const presence_command& cmd,
                                    clock::time_point now, effects& out) {
  if (room_->deleted())
    return reply_later(from, rooms_error{error_code::not_found, "room " + id_ + " does not exist"},
                       out);
  if (!room_->is_member(cmd.user))
    return reply_later(
        from,
        rooms_error{error_code::not_member, "user " + cmd.user + " is not a member of room " + id_},
        out);
  const bool sets = !cmd.data.is_nil();
  const presence_owner owner = sets && from.reply_to ? owner_of(from.reply_to, out) : 0;
  auto changed = presence_.set(cmd, owner, now, limits_->max_presence, limits_->max_presence_bytes);
  if (!changed) {
    release_owners(out);
    return reply_later(from, changed.error(), out);
  }
  value_map answer;
  answer.insert_or_assign("room", value::string(id_));
  answer.insert_or_assign("user", value::string(cmd.user));
  answer.insert_or_assign("session", value::string(cmd.session));
  answer.insert_or_assign("present", value::boolean(sets));
  reply_later(from, value::map(std::move(answer)), out);
  if (*changed) announce(**changed, out);
  release_owners(out);
  follow_index(out);
  // Only this entry's deadline moved: the tick already asked for covers every other one.
  if (sets) schedule_presence_tick(presence_table::deadline_for(cmd, now), now, out);
}

void room_actor_state::announce(const presence_table::change& change, effects& out) {
  broadcast(
      [&] {
        return encode_packed_notification("presence",
                                          to_msgpack_bytes(presence_notification(id_, change)));
      },
      true, out);
}

template <class MakeFrame>
void room_actor_state::broadcast(MakeFrame make_frame, bool presence, effects& out,
                                 bool with_patch) {
  // Without subscribers, now or by the time this is released, nobody needs its frame.
  if (subscribers() == 0 && pending_subscribes_ == 0) return;
  output item{output::broadcast, room_->version(), {}, {}, {}};
  // Each frame only when a subscription, now or by the time this is released, takes it: the
  // patch frame when one asked for patches, the plain one when one did not.
  const bool patched = with_patch && (patch_subscribers_ > 0 || pending_patch_subscribes_ > 0);
  if (patched)
    item.patch_event = caf::make_message(
        event_atom::value,
        room_event{id_, room_->version(), room_->deleted(),
                   encode_packed_notification("event", room_->events().newest(), "patch",
                                              room_->events().newest_patch()),
                   key_, presence});
  const bool plain = !patched || subscribers() > patch_subscribers_ ||
                     pending_subscribes_ > pending_patch_subscribes_;
  if (plain)
    item.event = caf::make_message(
        event_atom::value,
        room_event{id_, room_->version(), room_->deleted(), make_frame(), key_, presence});
  emit(std::move(item), out);
}

void room_actor_state::announce_all(const std::vector<presence_table::change>& changes,
                                    effects& out) {
  for (const auto& change : changes) announce(change, out);
}

presence_owner room_actor_state::owner_of(const caf::actor& who, effects& out) {
  for (const auto& [gateway, number] : owners_)
    if (gateway == who) return number;
  // Watched so that its entries leave when it stops; a subscriber is watched already.
  if (!is_subscriber(who)) out.push_back(fx::monitor{who});
  owners_.emplace_back(who, next_owner_);
  return next_owner_++;
}

bool room_actor_state::is_owner(const caf::actor& who) const {
  return std::any_of(owners_.begin(), owners_.end(),
                     [&](const auto& owner) { return owner.first == who; });
}

void room_actor_state::release_owners(effects& out) {
  if (owners_.empty()) return;
  // A lookup per owner among the table's owners, never a walk over its (up to 1000) entries.
  auto gone = std::stable_partition(owners_.begin(), owners_.end(), [&](const auto& owner) {
    return presence_.owns(owner.second);
  });
  for (auto it = gone; it != owners_.end(); ++it)
    if (!is_subscriber(it->first)) out.push_back(fx::demonitor{it->first});
  owners_.erase(gone, owners_.end());
}

void room_actor_state::schedule_presence_tick(std::optional<clock::time_point> next,
                                              clock::time_point now, effects& out) {
  if (!next || (presence_tick_at_ && *presence_tick_at_ <= *next)) return;
  presence_tick_at_ = *next;
  out.push_back(fx::presence_tick{std::max(*next - now, clock::duration::zero()), *next});
}

void room_actor_state::presence_tick(clock::time_point at, effects& out, clock::time_point now) {
  if (presence_tick_at_ != at) return;  // replaced by an earlier one
  presence_tick_at_.reset();
  now = std::max(now, at);
  if (room_ && !room_->deleted()) {
    room_->set_time(wall_clock_ms());
    announce_all(presence_.expire(now), out);
    follow_index(out);
  }
  release_owners(out);
  schedule_presence_tick(presence_.next_deadline(), now, out);
}

// -- the outbox --------------------------------------------------------------------------------

std::uint64_t room_actor_state::durable_version() const {
  return journal_ ? journal_->durable_version() : std::numeric_limits<std::uint64_t>::max();
}

void room_actor_state::emit(output item, effects& out) {
  // Outputs leave in the order they were made, each once the room is stored far enough.
  if (outbox_.empty() && item.needed <= durable_version()) return perform(item, out);
  if (item.kind == output::subscribe) {
    ++pending_subscribes_;
    if (item.patch) ++pending_patch_subscribes_;
  }
  outbox_.push_back(std::move(item));
}

void room_actor_state::release(effects& out) {
  while (!outbox_.empty() && outbox_.front().needed <= durable_version()) {
    if (outbox_.front().kind == output::subscribe) {
      --pending_subscribes_;
      if (outbox_.front().patch) --pending_patch_subscribes_;
    }
    perform(outbox_.front(), out);
    outbox_.pop_front();
  }
}

void room_actor_state::perform(output& item, effects& out) {
  switch (item.kind) {
    case output::reply: {
      const bool granted = grant(item.to);
      out.push_back(fx::reply{item.to.reply_to, std::move(item.answer), granted, false});
      break;
    }
    case output::subscribe: {
      add_subscriber(item.to.reply_to, item.patch, out);
      // Sent even when the caller wants no reply: it must learn that it now follows the room.
      const bool granted = grant(item.to);
      out.push_back(fx::reply{item.to.reply_to, std::move(item.answer), granted, true});
      break;
    }
    case output::broadcast:
      // One message shared by every subscriber: the frame is encoded and stored once.
      if (subscribers_)
        out.push_back(
            fx::broadcast{subscribers_, std::move(item.event), std::move(item.patch_event)});
      break;
    case output::forget:
      if (subscribers_)
        for (auto& sub : *subscribers_) out.push_back(fx::demonitor{sub.who});
      set_subscribers(nullptr);
      forget_me(out);
      break;
  }
}

void room_actor_state::fail_pending(const rooms_error& error, effects& out) {
  for (auto& item : outbox_) {
    if (item.kind != output::reply && item.kind != output::subscribe) continue;
    if (!item.to.reply_to || (!item.to.wants_reply && item.kind == output::reply)) continue;
    out.push_back(fx::reply{item.to.reply_to, encode_reply(item.to, result<value>{error})});
  }
  outbox_.clear();
  pending_subscribes_ = 0;
  pending_patch_subscribes_ = 0;
}

// -- storage -----------------------------------------------------------------------------------

void room_actor_state::submit_next_write(effects& out) {
  if (!journal_ || journal_->in_flight()) return;
  const std::uint64_t revision = room_->summary_revision();
  if (revision == indexed_revision_ && journal_->settled()) return;
  indexed_revision_ = revision;
  const std::optional<room_summary> summary =
      room_->deleted() ? std::nullopt : std::optional<room_summary>{room_->summary()};
  auto write = journal_->next_write([this] { return room_->image(); }, room_->first_replayable(),
                                    room_->data_bytes(), summary);
  if (write) out.push_back(fx::store{std::move(*write)});
}

void room_actor_state::follow_index(effects& out) {
  if (!room_) return;
  room_->set_presence_held(!presence_.empty());
  if (journal_) return submit_next_write(out);
  if (!memory_indexed_ || room_->summary_revision() == indexed_revision_) return;
  indexed_revision_ = room_->summary_revision();
  std::unique_ptr<room_summary> now =
      room_->deleted() ? nullptr : std::make_unique<room_summary>(room_->summary());
  index_change change = index_delta(id_, indexed_.get(), now.get());
  if (!change.empty()) out.push_back(fx::index{std::move(change)});
  indexed_ = std::move(now);
}

void room_actor_state::stored(const write_outcome& outcome, effects& out) {
  if (!outcome.error) {
    journal_->written();
    release(out);
    return submit_next_write(out);
  }
  journal_->failed();
  fail_pending(rooms_error{error_code::unavailable,
                           "storage failed, the change was not applied: " + outcome.error->message},
               out);
  reload(out);
}

// -- grants and stopping -----------------------------------------------------------------------

void room_actor_state::forget_me(effects& out) {
  out.push_back(fx::tell_directory{fx::tell_directory::gone});
  revoke_grants(out);
}

void room_actor_state::directory_forgot(effects& out) {
  forgotten_ = true;
  if (revocations_pending_ == 0) out.push_back(fx::stop{});
}

bool room_actor_state::grant(const caller& to) {
  if (to.direct || !to.reply_to || hibernating_ || broken_ || !room_ || room_->deleted())
    return false;
  if (to.reply_to.node() != node_) return false;
  const caf::actor_addr gateway = to.reply_to.address();
  if (std::find(granted_.begin(), granted_.end(), gateway) != granted_.end()) return false;
  granted_.push_back(gateway);
  return true;
}

void room_actor_state::revoke_grants(effects& out) {
  for (const auto& address : granted_) {
    auto gateway = caf::actor_cast<caf::actor>(address);
    if (!gateway) continue;  // gone: it calls nobody
    ++revocations_pending_;
    out.push_back(fx::revoke{std::move(gateway)});
  }
  granted_.clear();
}

void room_actor_state::revoked(effects& out) {
  if (revocations_pending_ == 0 || --revocations_pending_ > 0) return;
  if (hibernating_ && directory_agreed_) finish_hibernation(out);
  if (forgotten_) out.push_back(fx::stop{});
}

// -- idleness ----------------------------------------------------------------------------------

bool room_actor_state::idle_now() const {
  const bool can_rest = persistence_ ? journal_ && journal_->settled() : parks();
  // Subscribes still waiting are in the outbox.
  // A room holding presence entries stays active: its entries live in its actor only.
  return can_rest && !broken_ && !waiting_ && subscribers() == 0 && presence_.empty() &&
         outbox_.empty() && !hibernating_ && room_ && !room_->deleted();
}

bool room_actor_state::parks() const { return !persistence_ && park_after_.count() > 0; }

void room_actor_state::schedule_tick(effects& out) {
  if (persistence_)
    out.push_back(fx::tick{persistence_->idle_timeout});
  else if (parks())
    out.push_back(fx::tick{park_after_});
}

void room_actor_state::idle_tick(effects& out) {
  if (calls_since_tick_ == 0 && idle_now()) {
    hibernating_ = true;
    out.push_back(fx::tell_directory{fx::tell_directory::hibernate});
    revoke_grants(out);
  }
  calls_since_tick_ = 0;
  schedule_tick(out);
}

void room_actor_state::hibernation_granted(effects& out) {
  directory_agreed_ = true;
  if (revocations_pending_ == 0) finish_hibernation(out);
}

// Calls that came straight from gateways before they gave their grants back have been handled
// by now: they may have made the room busy again.
void room_actor_state::finish_hibernation(effects& out) {
  hibernating_ = false;
  directory_agreed_ = false;
  // Deleted meanwhile by a direct call: the directory forgets the room, which then stops.
  if (room_ && room_->deleted()) return;
  const bool still_idle = subscribers() == 0 && presence_.empty() && outbox_.empty() &&
                          (parks() || (journal_ && journal_->settled()));
  if (!still_idle) return out.push_back(fx::tell_directory{fx::tell_directory::reinstate});
  if (parks()) {
    // Before the actor stops: the directory has the image before it sees the actor go. The id
    // is left out: the directory holds the image under it.
    room_image image = room_->image();
    image.id.clear();
    out.push_back(fx::tell_directory{fx::tell_directory::parked, encode_room_image(image)});
  }
  out.push_back(fx::stop{});
}

}  // namespace rooms
