// The flat table of a gateway's routes.
#include "actors/gateway/room_routes.hpp"

#include <algorithm>
#include <utility>

namespace rooms {

namespace {

constexpr std::size_t min_capacity = 16;

}  // namespace

std::size_t room_routes::probe(const room_key& key) const {
  std::size_t i = index_of(key);
  while (slots_[i].used() && !(slots_[i].key == key)) i = (i + 1) & (slots_.size() - 1);
  return i;
}

room_route* room_routes::find(const room_key& key) {
  if (size_ == 0) return nullptr;
  slot& s = slots_[probe(key)];
  return s.used() ? &s.route : nullptr;
}

room_route& room_routes::insert(const room_key& key) {
  // At most half full: probes stay short.
  if (slots_.empty() || 2 * (size_ + 1) > slots_.size())
    resize(slots_.empty() ? min_capacity : 2 * slots_.size());
  slot& s = slots_[probe(key)];
  if (!s.used()) {
    s.key = key;
    s.route = room_route{};
    ++size_;
  }
  return s.route;
}

void room_routes::erase(const room_key& key) {
  if (size_ == 0) return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = probe(key);
  if (!slots_[hole].used()) return;
  slots_[hole] = slot{};
  --size_;
  // Backward shift: move up every later key of the run that may live in the hole, so that no
  // lookup stops early at it.
  for (std::size_t next = (hole + 1) & mask; slots_[next].used(); next = (next + 1) & mask) {
    const std::size_t home = index_of(slots_[next].key);
    const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (stays) continue;
    slots_[hole] = std::move(slots_[next]);
    slots_[next] = slot{};
    hole = next;
  }
  if (slots_.size() > min_capacity && 8 * size_ < slots_.size())
    resize(std::max(min_capacity, slots_.size() / 4));
}

std::size_t room_routes::direct() const {
  std::size_t n = 0;
  for (const auto& s : slots_)
    if (s.used() && s.route.direct) ++n;
  return n;
}

void room_routes::resize(std::size_t capacity) {
  std::vector<slot> old(capacity);
  old.swap(slots_);
  for (auto& s : old) {
    if (!s.used()) continue;
    slots_[probe(s.key)] = std::move(s);
  }
}

}  // namespace rooms
