// The member list of a room: join order plus a sorted index for big rooms.
#include "actors/room/member_list.hpp"

#include <algorithm>

namespace rooms {

member_list::member_list(std::vector<std::string> in_join_order)
    : members_(std::move(in_join_order)) {
  if (members_.size() > index_threshold) build_index();
}

std::vector<std::uint32_t>::const_iterator member_list::lower_bound(std::string_view user) const {
  return std::lower_bound(by_name_.begin(), by_name_.end(), user,
                          [&](std::uint32_t pos, std::string_view name) {
                            return std::string_view{members_[pos]} < name;
                          });
}

bool member_list::found_at(std::vector<std::uint32_t>::const_iterator it,
                           std::string_view user) const {
  return it != by_name_.end() && members_[*it] == user;
}

bool member_list::contains(std::string_view user) const {
  if (!indexed()) return std::find(members_.begin(), members_.end(), user) != members_.end();
  return found_at(lower_bound(user), user);
}

bool member_list::add(const std::string& user) {
  if (!indexed()) {
    if (contains(user)) return false;
    members_.push_back(user);
    if (members_.size() > index_threshold) build_index();
    return true;
  }
  auto it = lower_bound(user);
  if (found_at(it, user)) return false;
  by_name_.insert(it, static_cast<std::uint32_t>(members_.size()));
  members_.push_back(user);
  return true;
}

bool member_list::remove(std::string_view user) {
  if (!indexed()) {
    auto it = std::find(members_.begin(), members_.end(), user);
    if (it == members_.end()) return false;
    members_.erase(it);
    return true;
  }
  auto it = lower_bound(user);
  if (!found_at(it, user)) return false;
  const std::uint32_t pos = *it;
  by_name_.erase(it);
  members_.erase(members_.begin() + pos);
  // Everyone who joined after the leaver moved one place forward in join order.
  for (auto& p : by_name_)
    if (p > pos) --p;
  if (members_.size() <= index_threshold / 2) std::vector<std::uint32_t>{}.swap(by_name_);
  return true;
}

void member_list::build_index() {
  by_name_.resize(members_.size());
  for (std::uint32_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  std::sort(by_name_.begin(), by_name_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return members_[a] < members_[b]; });
}

}  // namespace rooms
