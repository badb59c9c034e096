// The durability modes of room storage (issue 4): when a change a response acknowledged is on
// disk. Parsed from the node's configuration.
#pragma once

#include <string_view>

#include "protocol/result.hpp"

namespace rooms {

/// When a change acknowledged to a client is durable.
enum class durability {
  /// Stored and fsynced before the response and the event go out. Group commit keeps throughput
  /// up (one fsync per batch of changes), but each call waits for a disk sync: the safe default.
  sync,
  /// Stored before the response, fsynced at least once a second (like Redis's appendfsync
  /// everysec): a process crash loses nothing, a power loss or kernel crash may lose the last
  /// second of acknowledged changes. Lower latency than `sync`.
  async,
  /// Memory only: nothing is written, a restart starts empty. For tests and caches.
  none,
};

/// "sync", "async" or "none".
std::string_view to_string(durability mode);

/// The mode named by `text` (exactly one of "sync", "async", "none"); anything else is
/// `invalid_argument` with a message that quotes `text` and lists the choices.
result<durability> parse_durability(std::string_view text);

}  // namespace rooms
