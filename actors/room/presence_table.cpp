// presence_table: setting, renewing and ending presence entries (presence_table.hpp).
#include "actors/room/presence_table.hpp"

#include <algorithm>

#include "protocol/value_msgpack.hpp"

namespace rooms {

std::vector<presence_table::entry>::iterator presence_table::find(std::string_view user,
                                                                  std::string_view session) {
  return std::find_if(entries_.begin(), entries_.end(),
                      [&](const entry& e) { return e.user == user && e.session == session; });
}

bool presence_table::present(std::string_view user, std::string_view session) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const entry& e) { return e.user == user && e.session == session; });
}

result<std::optional<presence_table::change>> presence_table::set(const presence_command& cmd,
                                                                  presence_owner owner,
                                                                  clock::time_point now,
                                                                  std::size_t max_entries,
                                                                  std::size_t max_bytes) {
  auto it = find(cmd.user, cmd.session);
  if (cmd.data.is_nil()) {
    if (it == entries_.end()) return std::optional<change>{};
    entries_.erase(it);
    return std::optional<change>{change{cmd.user, cmd.session, change::left, value{}, "explicit"}};
  }
  const std::size_t bytes = packed_size(cmd.data);
  if (bytes > max_bytes)
    return rooms_error{error_code::too_large, "presence data is " + std::to_string(bytes) +
                                                  " bytes, at most " + std::to_string(max_bytes) +
                                                  " allowed"};
  std::optional<clock::time_point> deadline;
  if (cmd.ttl_ms) deadline = now + std::chrono::milliseconds(*cmd.ttl_ms);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries)
      return rooms_error{error_code::too_large, "the room has its most presence entries (" +
                                                    std::to_string(max_entries) + ")"};
    entries_.push_back(entry{cmd.user, cmd.session, cmd.data, owner, deadline});
    return std::optional<change>{change{cmd.user, cmd.session, change::entered, cmd.data}};
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
  for (auto it = kept; it != entries_.end(); ++it)
    ended.push_back(
        change{std::move(it->user), std::move(it->session), change::left, value{}, reason});
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
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const entry& e) { return e.owner == owner; });
}

std::vector<presence_owner> presence_table::owners() const {
  std::vector<presence_owner> holding;
  holding.reserve(entries_.size());
  for (const auto& e : entries_) holding.push_back(e.owner);
  std::sort(holding.begin(), holding.end());
  holding.erase(std::unique(holding.begin(), holding.end()), holding.end());
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
