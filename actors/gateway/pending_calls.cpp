// The calls a gateway waits on, matched to their replies by msgid.
#include "actors/gateway/pending_calls.hpp"

namespace rooms {

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

}  // namespace rooms
