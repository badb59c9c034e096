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
