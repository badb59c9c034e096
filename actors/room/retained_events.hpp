// retained_events: the last events of a room, kept so that `subscribe` with `since` can replay
// them (docs/protocol.md). Each is kept as its MessagePack encoding, the bytes that
// subscribers receive inside `[2, "event", [map]]`: one allocation per event instead of a
// document tree, because a busy node retains a thousand events for every room it holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/room/compact_queue.hpp"
#include "protocol/value.hpp"

namespace rooms {

class retained_events {
 public:
  /// Keeps at most `capacity` events (at least one: the latest is what subscribers receive).
  explicit retained_events(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  /// Appends the event of `version`; drops the oldest event past the capacity, and every older
  /// one when `version` does not follow the newest (a gap, as in a damaged store).
  void push(std::uint64_t version, std::string packed_event);

  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }
  /// The version of the oldest event retained; meaningful only when not empty.
  std::uint64_t oldest_version() const { return newest_version_ + 1 - events_.size(); }
  /// The encoding of the newest event; only when not empty.
  const std::string& newest() const { return events_.back(); }

  /// The events with versions above `since`, oldest first, decoded (an array).
  value values_since(std::uint64_t since) const;
  /// Every event retained, oldest first, decoded.
  std::vector<nlohmann::json> decoded() const;

 private:
  std::size_t capacity_;
  std::uint64_t newest_version_ = 0;
  compact_queue<std::string> events_;
};

}  // namespace rooms
