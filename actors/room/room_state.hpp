// room_state: one room and every rule of docs/protocol.md, as plain C++ (no CAF).
// room_actor wraps one of these; tests drive it directly.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/room/edit_engine.hpp"
#include "actors/room/idempotency_keys.hpp"
#include "actors/room/member_list.hpp"
#include "actors/room/retained_events.hpp"
#include "actors/storage/room_image.hpp"
#include "protocol/commands.hpp"
#include "protocol/limits.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// What a successful call produced: the response's result map and, when the room changed, the
/// change: its event (the map every subscriber receives inside `[2, "event", [map]]`) and the
/// idempotency key that storage keeps with it.
struct room_outcome {
  value result;
  std::optional<event_record> change;
};

class room_state {
 public:
  /// Creates room `id` (version 1; the creator is owner and first member). Errors:
  /// invalid_argument (data nested too deep), too_large (data past max_data_bytes).
  static result<room_state> create(std::string id, create_command cmd,
                                   std::shared_ptr<const limits> lims);

  result<room_outcome> join(const join_command& cmd);
  result<room_outcome> leave(const leave_command& cmd);
  result<room_outcome> edit(edit_command cmd);
  /// Merges metadata (docs/protocol.md, section 12); members only.
  result<room_outcome> set_meta(const set_meta_command& cmd);
  /// The `delete` method (a keyword in C++).
  result<room_outcome> remove(const delete_command& cmd);
  /// Sets or clears expiry policies (docs/protocol.md, section 11); owner only.
  result<room_outcome> expire(const expire_command& cmd);
  /// The node's timer index found the room's deadline passed: deletes the room as its owner
  /// would, with reason "expired", if it is still due. While the room holds presence entries it
  /// is not idle: its presence clock moves to now instead (so its summary's deadline moves).
  result<room_outcome> expire_if_due();
  result<room_outcome> get() const;
  /// The response to `subscribe`; the caller registers the subscriber.
  result<room_outcome> subscribe(const subscribe_command& cmd) const;

  /// Rebuilds a stored room: `image`, then every record after image.version replayed in order.
  /// `records` holds the room's stored events ascending (those up to image.version are kept for
  /// `subscribe` with `since`). Errors: internal, when the records do not fit the image.
  /// `clocks`, when storage has them (the room's summary, written with its last change), replace
  /// the image's: events after the image do not carry their times.
  static result<room_state> restore(room_image image, std::vector<event_record> records,
                                    std::shared_ptr<const limits> lims,
                                    const room_clocks* clocks = nullptr);

  /// The room as storage keeps it (without the retained events).
  room_image image() const;

  /// {"room", "owner", "members", "data", "version"}, with "meta" and "expire" when set.
  value snapshot() const;

  /// What `list` and expiry know of the room (room_image.hpp).
  room_summary summary() const;
  /// When the room expires if nothing happens (Unix ms); nullopt while no policy can fire.
  std::optional<std::uint64_t> expires_at() const;
  /// Moves whenever summary() may have changed (a change of the room, its presence clock): a
  /// caller that kept the summary of one revision need not make it again for the same one.
  std::uint64_t summary_revision() const { return summary_revision_; }

  /// The wall-clock time (Unix ms) of the call being handled: changes are stamped with it and
  /// deadlines count from it. The room actor sets it before each call; a new room takes the
  /// system clock's.
  void set_time(std::uint64_t now_ms) { now_ms_ = now_ms; }
  /// Whether the room holds presence entries now (the room actor tells after each change of
  /// them): while it does, it is not idle.
  void set_presence_held(bool held);

  const std::string& id() const { return id_; }
  const std::shared_ptr<const limits>& room_limits() const { return limits_; }
  const std::string& owner() const { return owner_; }
  const std::vector<std::string>& members() const { return members_.in_join_order(); }
  bool is_member(std::string_view user) const { return members_.contains(user); }
  const value& data() const { return doc_.data; }
  const value& meta() const { return meta_; }
  const expire_policy& expire_settings() const { return expire_; }
  const room_clocks& clocks() const { return clocks_; }
  /// The encoded size of data().
  std::size_t data_bytes() const { return doc_.packed_bytes; }
  std::uint64_t version() const { return version_; }
  bool deleted() const { return deleted_; }
  /// The retained events, oldest first.
  const retained_events& events() const { return events_; }
  /// The lowest version whose event can still be replayed.
  std::uint64_t first_replayable() const {
    return events_.empty() ? version_ + 1 : events_.oldest_version();
  }

 private:
  room_state(std::string id, std::string owner, document doc, std::shared_ptr<const limits> lims);

  rooms_error not_found() const;
  /// Moves the version on by one and makes the event of that change.
  value next_event(std::string_view type, const std::string& user);
  /// Retains `event` (with `patch`, an edit's encoded patch) for `since` and makes the outcome
  /// of the change, whose record holds the patch too.
  room_outcome changed(value result, value event, std::string patch = {});
  result<room_outcome> edit_checked(edit_command& cmd, std::uint64_t fingerprint);
  std::optional<rooms_error> replay(event_record& record);
  /// Retains the event of `version` for `since`, and `patch` (encoded; an edit's) with it.
  void retain(std::uint64_t version, const value& event, std::string_view patch = {});
  result<room_outcome> replay_since(std::uint64_t since, bool with_patch) const;
  /// The deletion, by the owner or by expiry (`reason`, when set, goes into the event).
  room_outcome deleted_by(const std::string& user, std::string_view reason);
  /// The deadline `clocks_` and `expire_` give, the room counting as busy until `busy_until`.
  std::optional<std::uint64_t> deadline(std::uint64_t busy_until) const;
  /// The room holds (or just stopped holding) presence entries now: the presence clock moves.
  void mark_presence_seen();
  /// Members changed: the empty clock starts or stops.
  void members_changed();
  document_limits doc_limits() const;

  std::string id_;
  std::string owner_;
  member_list members_;
  document doc_;
  value meta_ = value::map();
  expire_policy expire_;
  room_clocks clocks_;
  bool presence_held_ = false;
  std::uint64_t summary_revision_ = 0;
  std::uint64_t now_ms_;
  std::uint64_t version_ = 1;
  bool deleted_ = false;
  retained_events events_;
  idempotency_keys keys_;
  std::shared_ptr<const limits> limits_;
};

}  // namespace rooms
