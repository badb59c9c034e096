// The rooms one connection follows: relay decisions and the subscription count.
#include "actors/gateway/subscription_table.hpp"

namespace rooms {

template <class Change>
void subscription_table::update(const std::string& room, Change change) {
  auto it = rooms_.try_emplace(room).first;
  entry& e = it->second;
  const bool was_wanted = e.wanted();
  const bool was_active = e.active;
  change(e);
  followed_ = followed_ + e.wanted() - was_wanted;
  active_ = active_ + e.active - was_active;
  if (!e.active && e.pending == 0) rooms_.erase(it);
}

bool subscription_table::is_active(const std::string& room) const {
  auto it = rooms_.find(room);
  return it != rooms_.end() && it->second.active;
}

bool subscription_table::follows(const std::string& room) const {
  auto it = rooms_.find(room);
  return it != rooms_.end() && it->second.wanted();
}

void subscription_table::subscribe_sent(const std::string& room) {
  update(room, [](entry& e) { ++e.pending; });
}

void subscription_table::subscribe_answered(const std::string& room,
                                            std::optional<std::uint64_t> version) {
  update(room, [&](entry& e) {
    if (e.pending > 0) --e.pending;
    if (e.cancelled > 0) {
      --e.cancelled;
    } else if (version) {
      e.active = true;
      e.last_version = *version;
    }
  });
}

void subscription_table::end(const std::string& room) {
  if (rooms_.count(room) == 0) return;
  update(room, [](entry& e) {
    e.active = false;
    e.cancelled = e.pending;
  });
}

void subscription_table::deleted_relayed(const std::string& room, std::uint64_t version) {
  // The room dropped every subscriber when it was deleted; pending subscribes get not_found.
  update(room, [&](entry& e) {
    e.last_version = version;
    e.active = false;
  });
}

std::uint64_t subscription_table::last_version(const std::string& room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.last_version;
}

}  // namespace rooms
