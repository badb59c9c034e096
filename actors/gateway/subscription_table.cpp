// The rooms one connection follows: relay decisions and the subscription count.
#include "actors/gateway/subscription_table.hpp"

namespace rooms {

namespace {

std::optional<room_key> table_key(const std::string& room) {
  auto key = room_key::of(room);
  if (key && !room_table<int>::holds(*key)) return std::nullopt;
  return key;
}

}  // namespace

subscription_table::entry* subscription_table::find(const std::string& room) {
  return const_cast<entry*>(static_cast<const subscription_table*>(this)->find(room));
}

const subscription_table::entry* subscription_table::find(const std::string& room) const {
  if (const auto key = table_key(room)) return keyed_.find(*key);
  auto it = others_.find(room);
  return it == others_.end() ? nullptr : &it->second;
}

subscription_table::entry& subscription_table::insert(const std::string& room) {
  if (const auto key = table_key(room)) return keyed_.insert(*key);
  return others_[room];
}

void subscription_table::erase(const std::string& room) {
  if (const auto key = table_key(room)) return keyed_.erase(*key);
  others_.erase(room);
}

template <class Change>
void subscription_table::update(const std::string& room, Change change) {
  entry& e = insert(room);
  const bool was_wanted = e.wanted();
  const bool was_active = e.active;
  change(e);
  followed_ = followed_ + e.wanted() - was_wanted;
  active_ = active_ + e.active - was_active;
  if (!e.active && e.pending == 0) erase(room);
}

bool subscription_table::is_active(const std::string& room) const {
  const entry* e = find(room);
  return e != nullptr && e->active;
}

bool subscription_table::follows(const std::string& room) const {
  const entry* e = find(room);
  return e != nullptr && e->wanted();
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
  if (find(room) == nullptr) return;
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
  const entry* e = find(room);
  return e == nullptr ? 0 : e->last_version;
}

}  // namespace rooms
