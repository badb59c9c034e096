// What storage keeps of a room: a room_image (the room at one version) and the event records
// after it. room_state (actors/room/) builds images and replays event records (restore);
// room_codec and room_store encode and keep both. The record types live here so that storage
// depends on the protocol's values only, and room/ on storage/, never the other way round.
// See docs/operations.md for the on-disk layout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/room_expire.hpp"
#include "protocol/value.hpp"

namespace rooms {

/// One remembered idempotency key, scoped to the user who sent it (docs/protocol.md).
struct stored_key {
  /// Empty in records written before keys were scoped to users: such a key matches no edit.
  std::string user;
  std::string key;
  std::uint64_t fingerprint = 0;
  /// The version the keyed edit produced.
  std::uint64_t version = 0;
};

/// The times a room's expiry counts from (docs/protocol.md, section 11), in Unix milliseconds.
struct room_clocks {
  /// The last change that moved the version (the creation at first).
  std::uint64_t changed_at_ms = 0;
  /// The change that left the room without members, while it has none.
  std::optional<std::uint64_t> emptied_at_ms = std::nullopt;
  /// The last time the room was seen holding presence entries (0: never).
  std::uint64_t presence_at_ms = 0;

  friend bool operator==(const room_clocks& a, const room_clocks& b) {
    return a.changed_at_ms == b.changed_at_ms && a.emptied_at_ms == b.emptied_at_ms &&
           a.presence_at_ms == b.presence_at_ms;
  }
};

/// The whole room at `version`, except its retained events.
struct room_image {
  std::string id;
  std::string owner;
  std::vector<std::string> members;
  value data = value::map();
  std::uint64_t version = 1;
  /// Oldest first.
  std::vector<stored_key> keys = {};
  /// The room's metadata (docs/protocol.md, section 12); empty in images stored before it.
  value meta = value::map();
  /// The room's expiry policy and its clocks (section 11).
  expire_policy expire = {};
  room_clocks clocks = {};
};

/// What `list` and expiry need of a room (docs/operations.md, "The room index"): stored beside
/// the room, in the same write as every change of it, and kept in memory without storage.
struct room_summary {
  std::string owner;
  std::uint64_t version = 1;
  std::uint64_t members = 0;
  value meta = value::map();
  expire_policy expire = {};
  room_clocks clocks = {};
  /// When the room's expiry policy deletes it if nothing happens (presence entries count as
  /// of clocks.presence_at_ms); nullopt while no policy can fire.
  std::optional<std::uint64_t> expires_at_ms = std::nullopt;

  friend bool operator==(const room_summary& a, const room_summary& b) {
    return a.version == b.version && a.members == b.members && a.expires_at_ms == b.expires_at_ms &&
           a.clocks == b.clocks && a.expire == b.expire && a.owner == b.owner && a.meta == b.meta;
  }
};

/// One change as stored: the event map exactly as subscribers got it, plus the idempotency key
/// of a keyed edit (which the wire event does not show), and an edit's RFC 6902 patch, which
/// subscribers that asked for it get as the event's "patch" member.
struct event_record {
  /// A map holding at least an unsigned "version" (storage refuses records without one).
  value event = value::map();
  std::optional<std::string> key = std::nullopt;
  std::uint64_t fingerprint = 0;
  /// An edit's patch, encoded (an array); empty for other events (and edits stored before
  /// patches were).
  std::string patch = {};

  std::uint64_t version() const { return event.as_map().find("version")->as_uint(); }
};

}  // namespace rooms
