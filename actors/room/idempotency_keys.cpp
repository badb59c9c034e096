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
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

void idempotency_keys::remember(const std::string& key, entry e) {
  auto [it, inserted] = by_key_.insert_or_assign(key, e);
  if (!inserted) return;
  order_.push_back(key);
  if (order_.size() > capacity_) {
    by_key_.erase(order_.front());
    order_.pop_front();
  }
}

std::vector<stored_key> idempotency_keys::export_keys() const {
  std::vector<stored_key> keys;
  keys.reserve(order_.size());
  for (const auto& key : order_) {
    const entry& e = by_key_.at(key);
    keys.push_back({key, e.fingerprint, e.version});
  }
  return keys;
}

}  // namespace rooms
