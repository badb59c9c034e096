// The node's configurable limits with their defaults (docs/protocol.md; docs/protocol.md
// has the table). One struct, passed down from the node's configuration.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rooms {

struct limits {
  /// Largest single MessagePack message a backend may send.
  std::size_t max_message_bytes = 1 << 20;
  /// Largest serialized (MessagePack) size of a room's data.
  std::size_t max_data_bytes = 8 << 20;
  /// Most ops in one edit.
  std::size_t max_ops = 1000;
  /// Deepest nesting of maps and arrays in room data (the root map counts as 1).
  std::size_t max_depth = 64;
  /// Most members in one room.
  std::size_t max_members = 10000;
  /// Most rooms one connection may subscribe to.
  std::size_t max_subscriptions = 10000;
  /// Most bytes waiting to be written to one connection before its subscriptions lag.
  std::size_t max_outbound_bytes = 16 << 20;
  /// Most simultaneous backend connections per node.
  std::size_t max_connections = 10000;
  /// Events each room retains for `subscribe` with `since` (at least 1000).
  std::size_t retained_events = 1000;
  /// Idempotency keys each room remembers (at least 1024).
  std::size_t retained_keys = 1024;
  /// Most presence entries in one room (docs/protocol.md, Presence).
  std::size_t max_presence = 1000;
  /// Largest MessagePack size of one presence entry's data.
  std::size_t max_presence_bytes = 1024;
};

}  // namespace rooms
