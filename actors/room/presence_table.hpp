// presence_table: a room's presence entries (docs/protocol.md, Presence): who is in the room
// right now, keyed by (user, session), each with a small state, an optional deadline and the
// connection that set it last. Never stored, never versioned. Plain C++: a connection is a
// number the room gives it (room_actor_state), which also sends what this table returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/commands.hpp"
#include "protocol/result.hpp"
#include "protocol/value.hpp"

namespace rooms {

/// The connection that set an entry, as the room numbers its gateways.
using presence_owner = std::uint64_t;

class presence_table {
 public:
  using clock = std::chrono::steady_clock;

  /// What a call or a clock tick did to one entry: the body of a `presence` notification.
  struct change {
    std::string user;
    std::string session;
    enum kind_type { entered, updated, left } kind;
    /// entered, updated: the entry's data.
    value data = value{};
    /// left: explicit, expired, disconnect or left.
    std::string_view reason = {};
  };

  /// Sets, renews or removes the entry of `cmd` (its data nil) for connection `owner`, at
  /// `now`. Errors: too_large (data over `max_bytes`, or a new entry past `max_entries`).
  /// Returns the change to announce, if any (renewing with equal data announces nothing).
  result<std::optional<change>> set(const presence_command& cmd, presence_owner owner,
                                    clock::time_point now, std::size_t max_entries,
                                    std::size_t max_bytes);
  /// Ends every entry whose deadline passed (`expired`), in the order they entered.
  std::vector<change> expire(clock::time_point now);
  /// Ends every entry of connection `owner` (`disconnect`).
  std::vector<change> disconnect(presence_owner owner);
  /// Ends every entry of `user`, who left the room (`left`).
  std::vector<change> user_left(std::string_view user);
  /// Forgets everything at once (the room was deleted: no notifications).
  void clear() {
    entries_.clear();
    owner_counts_.clear();
  }

  /// True while (user, session) has an entry.
  bool present(std::string_view user, std::string_view session) const;
  /// [{"user", "session", "data"}, ...] in the order the entries entered.
  value list() const;
  /// The earliest deadline of any entry (a walk over the entries: for clock ticks, not calls).
  std::optional<clock::time_point> next_deadline() const;
  /// The deadline an entry set by `cmd` at `now` gets: now + ttl_ms, or none without a TTL.
  static std::optional<clock::time_point> deadline_for(const presence_command& cmd,
                                                       clock::time_point now);
  /// The deadline of the entry of (user, session), if it has an entry with one.
  std::optional<clock::time_point> deadline_of(std::string_view user,
                                               std::string_view session) const;
  /// True while connection `owner` holds an entry (a lookup among the owners, not the entries).
  bool owns(presence_owner owner) const;
  /// The connections that hold entries, ascending, each once.
  std::vector<presence_owner> owners() const;
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::string user;
    std::string session;
    value data;
    presence_owner owner;
    std::optional<clock::time_point> deadline;
    /// key_hash(user, session): a lookup compares strings of one entry, not of every entry.
    std::size_t hash;
  };

  static std::size_t key_hash(std::string_view user, std::string_view session);
  std::vector<entry>::const_iterator find(std::string_view user, std::string_view session) const;
  std::vector<entry>::iterator find(std::string_view user, std::string_view session);
  /// One entry more (`gains`) or fewer for `owner`.
  void count_owner(presence_owner owner, bool gains);
  /// Removes the entries `ends` picks, in order, as `left` with `reason`.
  template <class Predicate>
  std::vector<change> end_where(Predicate ends, std::string_view reason);

  /// In the order they entered (a room holds at most --max-presence, 1000 by default).
  std::vector<entry> entries_;
  /// How many entries each owner holds, by owner ascending: an update by the connection that
  /// set the entry before changes nothing here, and owns() needs no walk over the entries.
  std::vector<std::pair<presence_owner, std::size_t>> owner_counts_;
};

/// The `presence` notification's map for `change` in `room`.
value presence_notification(const std::string& room, const presence_table::change& change);

}  // namespace rooms
