// The calls a gateway waits on, matched to their replies by msgid.
#include "actors/gateway/pending_calls.hpp"

namespace rooms {

namespace {

using call_map = std::unordered_multimap<std::uint32_t, pending_call>;

// The call with `msgid` waiting for `deadline`, or end.
call_map::iterator find_with_deadline(call_map& calls, std::uint32_t msgid,
                                      call_clock::time_point deadline) {
  auto [first, last] = calls.equal_range(msgid);
  for (auto it = first; it != last; ++it)
    if (it->second.deadline == deadline) return it;
  return calls.end();
}

}  // namespace

void pending_calls::add(std::uint32_t msgid, pending_call call) {
  if (call.deadline) deadlines_.emplace_back(*call.deadline, msgid);
  calls_.emplace(msgid, std::move(call));
}

std::optional<pending_call> pending_calls::take(std::uint32_t msgid,
                                                const std::optional<std::string>& subscribed_room) {
  auto [first, last] = calls_.equal_range(msgid);
  if (first == last) return std::nullopt;
  auto chosen = first;
  if (subscribed_room) {
    for (auto it = first; it != last; ++it) {
      if (it->second.subscribe_room == subscribed_room) {
        chosen = it;
        break;
      }
    }
  }
  pending_call call = std::move(chosen->second);
  calls_.erase(chosen);
  return call;
}

std::vector<std::pair<std::uint32_t, pending_call>> pending_calls::take_overdue(
    call_clock::time_point now) {
  std::vector<std::pair<std::uint32_t, pending_call>> overdue;
  while (!deadlines_.empty() && deadlines_.front().first <= now) {
    auto [deadline, msgid] = deadlines_.front();
    deadlines_.pop_front();
    auto it = find_with_deadline(calls_, msgid, deadline);
    if (it == calls_.end()) continue;
    overdue.emplace_back(msgid, std::move(it->second));
    calls_.erase(it);
  }
  return overdue;
}

std::optional<call_clock::time_point> pending_calls::next_deadline() {
  skip_answered();
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.front().first;
}

void pending_calls::skip_answered() {
  while (!deadlines_.empty() && find_with_deadline(calls_, deadlines_.front().second,
                                                   deadlines_.front().first) == calls_.end())
    deadlines_.pop_front();
}

}  // namespace rooms
