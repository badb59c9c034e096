// The protocol's methods as typed commands (docs/protocol.md), after their named arguments
// were checked by parse_command. Room data and ops are values (value.hpp), which keep
// MessagePack's types exactly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/command_table.hpp"
#include "protocol/list_query.hpp"
#include "protocol/room_expire.hpp"
#include "protocol/value.hpp"

namespace rooms {

using json = nlohmann::json;

struct create_command {
  std::string user;
  value data = value::map();
  /// The room's metadata (protocol/room_meta.hpp), checked.
  value meta = value::map();
  /// The room's expiry policy (protocol/room_expire.hpp).
  expire_policy expire = {};
};

struct delete_command {
  std::string room;
  std::string user;
};

struct join_command {
  std::string room;
  std::string user;
};

struct leave_command {
  std::string room;
  std::string user;
};

struct edit_command {
  std::string room;
  std::string user;
  /// An array; each op is checked when the edit is applied (errors carry the op's index).
  value ops = value::array();
  std::optional<std::uint64_t> if_version = std::nullopt;
  std::optional<std::string> key = std::nullopt;
  /// `reply: "version"`: answer {"room", "version"} instead of the snapshot.
  bool reply_version_only = false;
};

struct get_command {
  std::string room;
  /// `presence: true`: the snapshot also lists the room's presence entries.
  bool presence = false;
};

struct subscribe_command {
  std::string room;
  std::optional<std::uint64_t> since = std::nullopt;
  /// `patch: true`: every `edited` event also carries its RFC 6902 patch.
  bool patch = false;
};

struct unsubscribe_command {
  std::string room;
};

/// Sets, renews or removes one presence entry (docs/protocol.md, Presence).
struct presence_command {
  std::string room;
  std::string user;
  std::string session;
  /// The entry's state (a map); nil removes the entry.
  value data = value::map();
  std::optional<std::uint64_t> ttl_ms = std::nullopt;
};

/// Merges `meta` into the room's metadata; a nil value removes that key (docs/protocol.md,
/// section 12).
struct set_meta_command {
  std::string room;
  std::string user;
  /// Checked by check_meta (nil removes).
  value meta = value::map();
};

/// Sets (a number) or clears (nil) each expiry policy it names; owner only (docs/protocol.md,
/// section 11).
struct expire_command {
  std::string room;
  std::string user;
  expire_setting idle_ms = std::nullopt;
  expire_setting empty_ms = std::nullopt;
  /// Not from the wire: the node's timer index found the room's deadline passed, and the room
  /// expires if it is still due (room_state::expire_if_due). `user` is empty.
  bool due_check = false;
};

struct hello_command {
  std::optional<std::string> token = std::nullopt;
  std::optional<std::string> client = std::nullopt;
};

struct ping_command {};

struct stats_command {};

/// Finds rooms by metadata and member count (docs/protocol.md, section 12).
struct list_command {
  list_query query;
};

/// The commands addressed to one existing room.
using room_command = std::variant<delete_command, join_command, leave_command, edit_command,
                                  get_command, subscribe_command, unsubscribe_command,
                                  presence_command, set_meta_command, expire_command>;

/// Any command a backend can send.
using command = std::variant<create_command, room_command, hello_command, ping_command,
                             stats_command, list_command>;

static_assert(std::variant_size_v<room_command> == room_command_count,
              "command_table.hpp lists every room command");

/// The room a room command addresses.
const std::string& room_of(const room_command& cmd);

}  // namespace rooms
