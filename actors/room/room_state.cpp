// The room rules of docs/protocol.md. Every check happens before anything changes,
// and the edit engine rolls back its own partial work, so a failed call changes nothing.
#include "actors/room/room_state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "protocol/msgpack_json.hpp"
#include "protocol/room_meta.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

value version_reply(const std::string& room, std::uint64_t version) {
  value_map reply;
  reply.insert_or_assign("room", value::string(room));
  reply.insert_or_assign("version", value::unsigned_integer(version));
  return value::map(std::move(reply));
}

void add_member(value& map, std::string_view key, value v) {
  map.as_map().insert_or_assign(key, std::move(v));
}

}  // namespace

room_state::room_state(std::string id, std::string owner, document doc,
                       std::shared_ptr<const limits> lims)
    : id_(std::move(id)),
      owner_(std::move(owner)),
      doc_(std::move(doc)),
      now_ms_(wall_clock_ms()),
      events_(lims->retained_events),
      keys_(lims->retained_keys),
      limits_(std::move(lims)) {
  members_.add(owner_);
  clocks_.changed_at_ms = now_ms_;
}

result<room_state> room_state::create(std::string id, create_command cmd,
                                      std::shared_ptr<const limits> lims) {
  if (!cmd.data.is_map())
    return rooms_error{error_code::invalid_argument, "room data must be a map"};
  value data = std::move(cmd.data);
  if (nesting_depth(data) > lims->max_depth)
    return rooms_error{
        error_code::invalid_argument,
        fmt::format("room data nests maps and arrays deeper than the limit of {} levels",
                    lims->max_depth)};
  const std::size_t bytes = packed_size(data);
  if (bytes > lims->max_data_bytes)
    return rooms_error{error_code::too_large, fmt::format("room data is {} bytes, the limit is {}",
                                                          bytes, lims->max_data_bytes)};
  room_state room{std::move(id), std::move(cmd.user), document{std::move(data), bytes},
                  std::move(lims)};
  room.meta_ = std::move(cmd.meta);
  room.expire_ = cmd.expire;
  return room;
}

rooms_error room_state::not_found() const {
  return {error_code::not_found, fmt::format("room {} does not exist", id_)};
}

value room_state::snapshot() const {
  value_array members;
  members.reserve(members_.size());
  for (const auto& member : members_.in_join_order()) members.push_back(value::string(member));
  value_map snapshot;
  snapshot.reserve(6);
  // In key order.
  snapshot.push_back_sorted({value::string("data"), doc_.data});
  if (!expire_.empty()) {
    value expire = expire_.to_value();
    const auto at = expires_at();
    expire.as_map().insert_or_assign("at_ms", at ? value::unsigned_integer(*at) : value{});
    snapshot.push_back_sorted({value::string("expire"), std::move(expire)});
  }
  snapshot.push_back_sorted({value::string("members"), value::array(std::move(members))});
  if (!meta_.as_map().empty()) snapshot.push_back_sorted({value::string("meta"), meta_});
  snapshot.push_back_sorted({value::string("owner"), value::string(owner_)});
  snapshot.push_back_sorted({value::string("room"), value::string(id_)});
  snapshot.push_back_sorted({value::string("version"), value::unsigned_integer(version_)});
  return value::map(std::move(snapshot));
}

value room_state::next_event(std::string_view type, const std::string& user) {
  ++version_;
  ++summary_revision_;
  clocks_.changed_at_ms = now_ms_;
  value_map event;
  event.reserve(5);
  // In key order ("ops", when an edit adds it, sorts first).
  event.push_back_sorted({value::string("room"), value::string(id_)});
  event.push_back_sorted({value::string("type"), value::string(type)});
  event.push_back_sorted({value::string("user"), value::string(user)});
  event.push_back_sorted({value::string("version"), value::unsigned_integer(version_)});
  return value::map(std::move(event));
}

void room_state::retain(std::uint64_t version, const value& event, std::string_view patch) {
  // One allocation for both: the event, then its patch.
  std::string bytes;
  bytes.reserve(packed_size(event) + patch.size());
  append_msgpack(bytes, event);
  const std::size_t plain = bytes.size();
  bytes.append(patch);
  events_.push(version, std::move(bytes), plain);
}

room_outcome room_state::changed(value result, value event, std::string patch) {
  retain(version_, event, patch);
  // The record keeps the patch: a replay through `since` after a restart carries it.
  return room_outcome{std::move(result),
                      event_record{std::move(event), std::nullopt, 0, std::move(patch)}};
}

result<room_outcome> room_state::join(const join_command& cmd) {
  if (deleted_) return not_found();
  if (members_.contains(cmd.user)) return room_outcome{snapshot(), std::nullopt};
  if (members_.size() >= limits_->max_members)
    return rooms_error{error_code::too_large,
                       fmt::format("room {} has {} members, the limit", id_, members_.size())};
  members_.add(cmd.user);
  members_changed();
  value event = next_event("joined", cmd.user);
  return changed(snapshot(), std::move(event));
}

result<room_outcome> room_state::leave(const leave_command& cmd) {
  if (deleted_) return not_found();
  if (!members_.remove(cmd.user)) return room_outcome{snapshot(), std::nullopt};
  members_changed();
  value event = next_event("left", cmd.user);
  return changed(snapshot(), std::move(event));
}

result<room_outcome> room_state::remove(const delete_command& cmd) {
  if (deleted_) return not_found();
  if (cmd.user != owner_)
    return rooms_error{error_code::forbidden,
                       fmt::format("only the owner may delete room {}", id_)};
  return deleted_by(cmd.user, {});
}

room_outcome room_state::deleted_by(const std::string& user, std::string_view reason) {
  value event = next_event("deleted", user);
  if (!reason.empty()) event.as_map().insert_or_assign("reason", value::string(reason));
  deleted_ = true;
  // A deleted room answers not_found to everything: its data is no longer needed.
  doc_ = document{};
  value deleted = version_reply(id_, version_);
  add_member(deleted, "deleted", value::boolean(true));
  return changed(std::move(deleted), std::move(event));
}

// -- expiry ------------------------------------------------------------------------------------

void room_state::members_changed() {
  if (members_.size() == 0)
    clocks_.emptied_at_ms = now_ms_;
  else
    clocks_.emptied_at_ms.reset();
}

void room_state::set_presence_held(bool held) {
  // The presence clock marks the last moment the room held entries: when they all leave, and
  // whenever an expiry check finds some.
  if (presence_held_ && !held) mark_presence_seen();
  presence_held_ = held;
}

void room_state::mark_presence_seen() {
  clocks_.presence_at_ms = now_ms_;
  ++summary_revision_;
}

std::optional<std::uint64_t> room_state::deadline(std::uint64_t busy_until) const {
  std::optional<std::uint64_t> at;
  if (expire_.idle_ms)
    at = std::max({clocks_.changed_at_ms, clocks_.presence_at_ms, busy_until}) + *expire_.idle_ms;
  if (expire_.empty_ms && clocks_.emptied_at_ms) {
    const std::uint64_t empty_at = *clocks_.emptied_at_ms + *expire_.empty_ms;
    at = at ? std::min(*at, empty_at) : empty_at;
  }
  return at;
}

std::optional<std::uint64_t> room_state::expires_at() const {
  if (deleted_) return std::nullopt;
  // Entries held now keep the room from being idle until at least now.
  return deadline(presence_held_ ? now_ms_ : 0);
}

result<room_outcome> room_state::expire(const expire_command& cmd) {
  if (deleted_) return not_found();
  if (cmd.user != owner_)
    return rooms_error{error_code::forbidden,
                       fmt::format("only the owner may set the expiry of room {}", id_)};
  const expire_policy next = apply_expire(expire_, cmd.idle_ms, cmd.empty_ms);
  // An expire that changes nothing moves nothing.
  if (next == expire_) return room_outcome{snapshot(), std::nullopt};
  expire_ = next;
  value event = next_event("expire", cmd.user);
  event.as_map().insert_or_assign("expire", expire_.to_value());
  return changed(snapshot(), std::move(event));
}

result<room_outcome> room_state::expire_if_due() {
  if (deleted_) return not_found();
  if (presence_held_ && expire_.idle_ms) mark_presence_seen();
  const auto at = expires_at();
  if (!at || *at > now_ms_) return room_outcome{value{}, std::nullopt};
  return deleted_by(owner_, "expired");
}

room_summary room_state::summary() const {
  return room_summary{owner_,
                      version_,
                      members_.size(),
                      meta_,
                      expire_,
                      clocks_,
                      deleted_ ? std::nullopt : deadline(0)};
}

result<room_outcome> room_state::get() const {
  if (deleted_) return not_found();
  return room_outcome{snapshot(), std::nullopt};
}

result<room_outcome> room_state::edit(edit_command cmd) {
  if (deleted_) return not_found();
  // A remembered key is answered before membership and if_version: a retry after a lost
  // response must never turn into not_member or conflict.
  std::uint64_t fingerprint = 0;
  if (cmd.key) {
    fingerprint = idempotency_keys::fingerprint(cmd.ops);
    if (auto seen = keys_.find(cmd.user, *cmd.key)) {
      if (seen->fingerprint != fingerprint)
        return rooms_error{error_code::key_reused,
                           fmt::format("key '{}' was used for different ops", *cmd.key)};
      value reply = version_reply(id_, seen->version);
      add_member(reply, "replayed", value::boolean(true));
      return room_outcome{std::move(reply), std::nullopt};
    }
  }
  return edit_checked(cmd, fingerprint);
}

document_limits room_state::doc_limits() const {
  return {limits_->max_data_bytes, limits_->max_ops, limits_->max_depth};
}

result<room_outcome> room_state::edit_checked(edit_command& cmd, std::uint64_t fingerprint) {
  if (!members_.contains(cmd.user))
    return rooms_error{error_code::not_member,
                       fmt::format("user '{}' is not a member of room {}", cmd.user, id_)};
  if (cmd.if_version && *cmd.if_version != version_)
    return rooms_error{
        error_code::conflict,
        fmt::format("room {} is at version {}, not {}", id_, version_, *cmd.if_version),
        json{{"version", version_}}};
  edit_patch patch;
  if (cmd.ops.size() > 0) {
    if (auto failure = apply_edit(doc_, cmd.ops, doc_limits(), &patch)) return std::move(*failure);
  }
  auto reply = [&] { return cmd.reply_version_only ? version_reply(id_, version_) : snapshot(); };
  if (cmd.ops.size() == 0) return room_outcome{reply(), std::nullopt};
  value event = next_event("edited", cmd.user);
  event.as_map().insert_or_assign("ops", std::move(cmd.ops));
  room_outcome outcome = changed(reply(), std::move(event), patch.encoded());
  if (cmd.key) {
    keys_.remember(cmd.user, *cmd.key, {fingerprint, version_});
    outcome.change->key = std::move(cmd.key);
    outcome.change->fingerprint = fingerprint;
  }
  return outcome;
}

result<room_outcome> room_state::set_meta(const set_meta_command& cmd) {
  if (deleted_) return not_found();
  if (!members_.contains(cmd.user))
    return rooms_error{error_code::not_member,
                       fmt::format("user '{}' is not a member of room {}", cmd.user, id_)};
  auto merged = merge_meta(meta_, cmd.meta);
  if (!merged) return merged.error();
  auto answer = [&] {
    value reply = version_reply(id_, version_);
    add_member(reply, "meta", meta_);
    return reply;
  };
  // A set_meta that changes nothing moves nothing.
  if (*merged == meta_) return room_outcome{answer(), std::nullopt};
  meta_ = std::move(*merged);
  value event = next_event("meta", cmd.user);
  event.as_map().insert_or_assign("meta", meta_);
  return changed(answer(), std::move(event));
}

result<room_outcome> room_state::subscribe(const subscribe_command& cmd) const {
  if (deleted_) return not_found();
  if (cmd.since) {
    if (*cmd.since > version_)
      return rooms_error{
          error_code::invalid_argument,
          fmt::format("since {} is past room {}'s version {}", *cmd.since, id_, version_),
          json{{"version", version_}}};
    if (std::max<std::uint64_t>(*cmd.since + 1, 2) >= first_replayable())
      return replay_since(*cmd.since, cmd.patch);
  }
  value reply = version_reply(id_, version_);
  add_member(reply, "snapshot", snapshot());
  if (cmd.since) add_member(reply, "resync", value::boolean(true));
  return room_outcome{std::move(reply), std::nullopt};
}

result<room_outcome> room_state::replay_since(std::uint64_t since, bool with_patch) const {
  value reply = version_reply(id_, version_);
  add_member(reply, "events", events_.values_since(since, with_patch));
  return room_outcome{std::move(reply), std::nullopt};
}

}  // namespace rooms
