// presence_table: setting, renewing and ending presence entries (presence_table.hpp).
#include "actors/room/presence_table.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "protocol/value_msgpack.hpp"

namespace rooms {

std::size_t presence_table::key_hash(std::string_view user, std::string_view session) {
  const std::size_t h = std::hash<std::string_view>{}(user);
  return h ^ (std::hash<std::string_view>{}(session) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

std::vector<presence_table::entry>::const_iterator presence_table::find(
    std::string_view user, std::string_view session) const {
  const std::size_t hash = key_hash(user, session);
  return std::find_if(entries_.begin(), entries_.end(), [&](const entry& e) {
    return e.hash == hash && e.user == user && e.session == session;
  });
}

std::vector<presence_table::entry>::iterator presence_table::find(std::string_view user,
                                                                  std::string_view session) {
  const auto it = std::as_const(*this).find(user, session);
  return entries_.begin() + (it - entries_.cbegin());
}

void presence_table::count_owner(presence_owner owner, bool gains) {
  auto it = std::lower_bound(owner_counts_.begin(), owner_counts_.end(), owner,
                             [](const auto& count, presence_owner o) { return count.first < o; });
  const bool known = it != owner_counts_.end() && it->first == owner;
  if (gains) {
    if (known)
      ++it->second;
    else
      owner_counts_.insert(it, {owner, 1});
  } else if (known && --it->second == 0) {
    owner_counts_.erase(it);
  }
}

bool presence_table::present(std::string_view user, std::string_view session) const {
  return find(user, session) != entries_.end();
}

std::optional<presence_table::clock::time_point> presence_table::deadline_for(
    const presence_command& cmd, clock::time_point now) {
  if (!cmd.ttl_ms) return std::nullopt;
  return now + std::chrono::milliseconds(*cmd.ttl_ms);
}

std::optional<presence_table::clock::time_point> presence_table::deadline_of(
    std::string_view user, std::string_view session) const {
  const auto it = find(user, session);
  return it == entries_.end() ? std::nullopt : it->deadline;
}

result<std::optional<presence_table::change>> presence_table::set(const presence_command& cmd,
                                                                  presence_owner owner,
                                                                  clock::time_point now,
                                                                  std::size_t max_entries,
                                                                  std::size_t max_bytes) {
  auto it = find(cmd.user, cmd.session);
  if (cmd.data.is_nil()) {
    if (it == entries_.end()) return std::optional<change>{};
    count_owner(it->owner, false);
    entries_.erase(it);
    return std::optional<change>{change{cmd.user, cmd.session, change::left, value{}, "explicit"}};
  }
  const std::size_t bytes = packed_size(cmd.data);
  if (bytes > max_bytes)
    return rooms_error{error_code::too_large, "presence data is " + std::to_string(bytes) +
                                                  " bytes, at most " + std::to_string(max_bytes) +
                                                  " allowed"};
  const std::optional<clock::time_point> deadline = deadline_for(cmd, now);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries)
      return rooms_error{error_code::too_large, "the room has its most presence entries (" +
                                                    std::to_string(max_entries) + ")"};
    entries_.push_back(
        entry{cmd.user, cmd.session, cmd.data, owner, deadline, key_hash(cmd.user, cmd.session)});
    count_owner(owner, true);
    return std::optional<change>{change{cmd.user, cmd.session, change::entered, cmd.data}};
  }
  if (it->owner != owner) {
    count_owner(it->owner, false);
    count_owner(owner, true);
  }
  it->owner = owner;
  it->deadline = deadline;
  if (it->data == cmd.data) return std::optional<change>{};  // renewed: nothing to announce
  it->data = cmd.data;
  return std::optional<change>{change{cmd.user, cmd.session, change::updated, cmd.data}};
}

template <class Predicate>
std::vector<presence_table::change> presence_table::end_where(Predicate ends,
                                                              std::string_view reason) {
  std::vector<change> ended;
  auto kept = std::stable_partition(entries_.begin(), entries_.end(),
                                    [&](const entry& e) { return !ends(e); });
  for (auto it = kept; it != entries_.end(); ++it) {
    count_owner(it->owner, false);
    ended.push_back(
        change{std::move(it->user), std::move(it->session), change::left, value{}, reason});
  }
  entries_.erase(kept, entries_.end());
  return ended;
}

std::vector<presence_table::change> presence_table::expire(clock::time_point now) {
  return end_where([&](const entry& e) { return e.deadline && *e.deadline <= now; }, "expired");
}

std::vector<presence_table::change> presence_table::disconnect(presence_owner owner) {
  return end_where([&](const entry& e) { return e.owner == owner; }, "disconnect");
}

std::vector<presence_table::change> presence_table::user_left(std::string_view user) {
  return end_where([&](const entry& e) { return e.user == user; }, "left");
}

value presence_table::list() const {
  value_array items;
  items.reserve(entries_.size());
  for (const auto& e : entries_) {
    value_map item;
    item.insert_or_assign("user", value::string(e.user));
    item.insert_or_assign("session", value::string(e.session));
    item.insert_or_assign("data", e.data);
    items.push_back(value::map(std::move(item)));
  }
  return value::array(std::move(items));
}

std::optional<presence_table::clock::time_point> presence_table::next_deadline() const {
  std::optional<clock::time_point> earliest;
  for (const auto& e : entries_)
    if (e.deadline && (!earliest || *e.deadline < *earliest)) earliest = e.deadline;
  return earliest;
}

bool presence_table::owns(presence_owner owner) const {
  return std::binary_search(owner_counts_.begin(), owner_counts_.end(),
                            std::pair<presence_owner, std::size_t>{owner, 0},
                            [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::vector<presence_owner> presence_table::owners() const {
  std::vector<presence_owner> holding;
  holding.reserve(owner_counts_.size());
  for (const auto& [owner, count] : owner_counts_) holding.push_back(owner);
  return holding;
}

value presence_notification(const std::string& room, const presence_table::change& change) {
  static constexpr std::string_view states[] = {"entered", "updated", "left"};
  value_map body;
  body.insert_or_assign("room", value::string(room));
  body.insert_or_assign("user", value::string(change.user));
  body.insert_or_assign("session", value::string(change.session));
  body.insert_or_assign("state", value::string(states[change.kind]));
  if (change.kind == presence_table::change::left)
    body.insert_or_assign("reason", value::string(change.reason));
  else
    body.insert_or_assign("data", change.data);
  return value::map(std::move(body));
}

}  // namespace rooms
