// The bounded memory of applied idempotency keys.
#include "actors/room/idempotency_keys.hpp"

#include <functional>
#include <string_view>

#include "protocol/value_msgpack.hpp"

namespace rooms {

std::uint64_t idempotency_keys::fingerprint(const value& ops) {
  // Maps are kept sorted, so the encoding is canonical for equal structures (and the same bytes
  // nlohmann's sorted objects gave: fingerprints stored before values existed still match).
  const std::string bytes = to_msgpack_bytes(ops);
  const std::uint64_t h = std::hash<std::string_view>{}(bytes);
  return h ^ (bytes.size() * 0x9e3779b97f4a7c15ULL);
}

std::string idempotency_keys::scoped(std::string_view user, std::string_view key) {
  std::string out = std::to_string(user.size());
  out.reserve(out.size() + 1 + user.size() + key.size());
  out += ':';
  out += user;
  out += key;
  return out;
}

std::optional<idempotency_keys::entry> idempotency_keys::find(std::string_view user,
                                                              std::string_view key) const {
  if (!remembered_) return std::nullopt;
  auto it = remembered_->by_key.find(scoped(user, key));
  if (it == remembered_->by_key.end()) return std::nullopt;
  return it->second;
}

void idempotency_keys::remember(std::string_view user, std::string_view key, entry e) {
  if (!remembered_) remembered_ = std::make_unique<remembered>();
  auto& [order, by_key] = *remembered_;
  std::string name = scoped(user, key);
  auto [it, inserted] = by_key.insert_or_assign(name, e);
  if (!inserted) return;
  order.push_back(std::move(name));
  if (order.size() > capacity_) {
    by_key.erase(order.front());
    order.pop_front();
  }
}

std::vector<stored_key> idempotency_keys::export_keys() const {
  std::vector<stored_key> keys;
  if (!remembered_) return keys;
  keys.reserve(remembered_->order.size());
  for (const auto& name : remembered_->order) {
    const entry& e = remembered_->by_key.at(name);
    const std::size_t colon = name.find(':');
    const std::size_t user_bytes = std::stoul(name.substr(0, colon));
    keys.push_back({name.substr(colon + 1, user_bytes), name.substr(colon + 1 + user_bytes),
                    e.fingerprint, e.version});
  }
  return keys;
}

}  // namespace rooms
