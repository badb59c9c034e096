// room_routes: a gateway's routes (gateway_state.hpp), one per room of this node it holds a
// grant of or has a call through the directory in flight to. Looked up on every call, so kept
// in a flat room_table.
#pragma once

#include <cstddef>
#include <cstdint>

#include <caf/actor.hpp>

#include "actors/gateway/room_table.hpp"

namespace rooms {

/// How a connection's calls on one room travel (docs/architecture.md, "Direct calls").
struct room_route {
  /// The room actor's grant of direct calls; null: through the directory.
  caf::actor direct;
  /// This connection's calls on the room sent through the directory, and the highest numbered
  /// of them answered.
  std::uint64_t routed_sent = 0;
  std::uint64_t routed_answered = 0;
  /// Of those, the ones still waiting for their reply.
  std::size_t routed_waiting = 0;
};

/// The routes of one gateway (the table's values), and how many hold a grant.
class room_routes : public room_table<room_route> {
 public:
  /// Routes that hold a grant.
  std::size_t direct() const;
};

}  // namespace rooms
