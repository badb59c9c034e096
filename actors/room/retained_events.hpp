// retained_events: the last events of a room, kept so that `subscribe` with `since` can replay
// them (docs/protocol.md). Each is kept as its MessagePack encoding, the bytes that
// subscribers receive inside `[2, "event", [map]]`: one allocation per event instead of a
// document tree, because a busy node retains a thousand events for every room it holds.
// An `edited` event also keeps its RFC 6902 patch (docs/protocol.md, `subscribe` with
// `patch: true`) in the same allocation, after the plain encoding: subscriptions without
// `patch` get the plain bytes as they are, those with it get the map with one more member.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/room/compact_queue.hpp"
#include "protocol/value.hpp"

namespace rooms {

class retained_events {
 public:
  /// Keeps at most `capacity` events (at least one: the latest is what subscribers receive).
  explicit retained_events(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  /// Appends the event of `version`: `bytes` holds its encoding without the patch (the first
  /// `plain_bytes`), then the encoding of its patch, if it has one. Drops the oldest event past
  /// the capacity, and every older one when `version` does not follow the newest (a gap, as in
  /// a damaged store).
  void push(std::uint64_t version, std::string bytes, std::size_t plain_bytes);
  /// Appends an event without a patch.
  void push(std::uint64_t version, std::string bytes) {
    const std::size_t plain_bytes = bytes.size();
    push(version, std::move(bytes), plain_bytes);
  }

  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }
  /// The version of the oldest event retained; meaningful only when not empty.
  std::uint64_t oldest_version() const { return newest_version_ + 1 - events_.size(); }
  /// The encoding of the newest event without its patch; only when not empty.
  std::string_view newest() const { return events_.back().plain(); }
  /// Whether the newest event has a patch; only when not empty.
  bool newest_has_patch() const { return events_.back().has_patch(); }
  /// The encoding of the newest event's patch (an array); empty when it has none.
  std::string_view newest_patch() const { return events_.back().patch(); }
  /// The bytes the newest event takes, its patch included; only when not empty.
  std::size_t newest_bytes() const { return events_.back().bytes.size(); }

  /// The events with versions above `since`, oldest first, decoded (an array); with their
  /// patches when `with_patch`.
  value values_since(std::uint64_t since, bool with_patch = false) const;
  /// Every event retained, oldest first, decoded.
  std::vector<nlohmann::json> decoded(bool with_patch = false) const;

 private:
  struct event {
    /// The event's encoding, then its patch's (if any).
    std::string bytes;
    std::uint32_t plain_bytes = 0;

    std::string_view plain() const { return std::string_view(bytes).substr(0, plain_bytes); }
    std::string_view patch() const { return std::string_view(bytes).substr(plain_bytes); }
    bool has_patch() const { return bytes.size() > plain_bytes; }
    std::string with_patch() const;
    /// The encoding to send: with the patch when asked for and present.
    std::string_view encoding(bool patch, std::string& scratch) const;
  };

  std::size_t capacity_;
  std::uint64_t newest_version_ = 0;
  compact_queue<event> events_;
};

}  // namespace rooms
