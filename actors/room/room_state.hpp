// room_state: one room and every rule of PROTOCOL.md sections 3 to 6, as plain C++ (no CAF).
// room_actor wraps one of these; tests drive it directly.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/room/edit_engine.hpp"
#include "actors/room/idempotency_keys.hpp"
#include "protocol/commands.hpp"
#include "protocol/limits.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// What a successful call produced: the response's result map and, when the room changed, the
/// event that every subscriber receives (the map inside `[2, "event", [map]]`).
struct room_outcome {
  json result;
  std::optional<json> event;
};

class room_state {
 public:
  /// Creates room `id` (version 1; the creator is owner and first member). Errors:
  /// invalid_argument (data nested too deep), too_large (data past max_data_bytes).
  static result<room_state> create(std::string id, create_command cmd,
                                   std::shared_ptr<const limits> lims);

  result<room_outcome> join(const join_command& cmd);
  result<room_outcome> leave(const leave_command& cmd);
  result<room_outcome> edit(edit_command cmd);
  /// The `delete` method (a keyword in C++).
  result<room_outcome> remove(const delete_command& cmd);
  result<room_outcome> get() const;
  /// The response to `subscribe`; the caller registers the subscriber.
  result<room_outcome> subscribe(const subscribe_command& cmd) const;

  /// {"room", "owner", "members", "data", "version"}.
  json snapshot() const;

  const std::string& id() const { return id_; }
  const std::string& owner() const { return owner_; }
  const std::vector<std::string>& members() const { return members_; }
  const json& data() const { return doc_.data; }
  std::uint64_t version() const { return version_; }
  bool deleted() const { return deleted_; }
  /// The retained events, oldest first.
  const std::deque<json>& events() const { return events_; }

 private:
  room_state(std::string id, std::string owner, document doc, std::shared_ptr<const limits> lims);

  rooms_error not_found() const;
  /// Moves the version on by one and records the event of that change.
  json& record_event(std::string_view type, const std::string& user);
  result<room_outcome> edit_checked(edit_command& cmd, std::uint64_t fingerprint);
  result<room_outcome> replay_since(std::uint64_t since) const;
  document_limits doc_limits() const;

  std::string id_;
  std::string owner_;
  std::vector<std::string> members_;
  std::unordered_set<std::string> member_set_;
  document doc_;
  std::uint64_t version_ = 1;
  bool deleted_ = false;
  std::deque<json> events_;
  /// The lowest version whose event can still be replayed (events before it were dropped).
  std::uint64_t first_replayable_ = 2;
  idempotency_keys keys_;
  std::shared_ptr<const limits> limits_;
};

}  // namespace rooms
