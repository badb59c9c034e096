// Which remote room actor holds which of a gateway's rooms.
#include "actors/gateway/remote_holders.hpp"

namespace rooms {

bool remote_holders::hold(const std::string& room, const caf::actor_addr& holder) {
  auto [it, inserted] = holder_of_.try_emplace(room, holder);
  if (!inserted) {
    if (it->second == holder) return false;
    if (--rooms_held_[it->second] == 0) rooms_held_.erase(it->second);
    it->second = holder;
  }
  return rooms_held_[holder]++ == 0;
}

std::vector<std::string> remote_holders::lost(const caf::actor_addr& holder) {
  std::vector<std::string> rooms;
  if (rooms_held_.erase(holder) == 0) return rooms;
  for (auto it = holder_of_.begin(); it != holder_of_.end();) {
    if (it->second == holder) {
      rooms.push_back(it->first);
      it = holder_of_.erase(it);
    } else {
      ++it;
    }
  }
  return rooms;
}

std::vector<caf::actor_addr> remote_holders::prune(
    const std::function<bool(const std::string&)>& followed) {
  std::vector<caf::actor_addr> idle;
  for (auto it = holder_of_.begin(); it != holder_of_.end();) {
    if (followed(it->first)) {
      ++it;
      continue;
    }
    if (--rooms_held_[it->second] == 0) {
      rooms_held_.erase(it->second);
      idle.push_back(it->second);
    }
    it = holder_of_.erase(it);
  }
  return idle;
}

}  // namespace rooms
