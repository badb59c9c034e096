// The bounded memory of applied idempotency keys.
#include "actors/room/idempotency_keys.hpp"

#include <functional>
#include <string_view>

#include "protocol/msgpack_json.hpp"

namespace rooms {

std::uint64_t idempotency_keys::fingerprint(const nlohmann::json& ops) {
  // nlohmann's objects are sorted maps, so the encoding is canonical for equal structures.
  const std::string bytes = to_msgpack_bytes(ops);
  const std::uint64_t h = std::hash<std::string_view>{}(bytes);
  return h ^ (bytes.size() * 0x9e3779b97f4a7c15ULL);
}

std::optional<idempotency_keys::entry> idempotency_keys::find(const std::string& key) const {
  if (!remembered_) return std::nullopt;
  auto it = remembered_->by_key.find(key);
  if (it == remembered_->by_key.end()) return std::nullopt;
  return it->second;
}

void idempotency_keys::remember(const std::string& key, entry e) {
  if (!remembered_) remembered_ = std::make_unique<remembered>();
  auto& [order, by_key] = *remembered_;
  auto [it, inserted] = by_key.insert_or_assign(key, e);
  if (!inserted) return;
  order.push_back(key);
  if (order.size() > capacity_) {
    by_key.erase(order.front());
    order.pop_front();
  }
}

std::vector<stored_key> idempotency_keys::export_keys() const {
  std::vector<stored_key> keys;
  if (!remembered_) return keys;
  keys.reserve(remembered_->order.size());
  for (const auto& key : remembered_->order) {
    const entry& e = remembered_->by_key.at(key);
    keys.push_back({key, e.fingerprint, e.version});
  }
  return keys;
}

}  // namespace rooms
