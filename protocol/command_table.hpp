// The protocol's methods, one row each (docs/protocol.md): the name and the named arguments it
// takes. Every list of methods in the code derives from this table: the parser's rows (its
// parse functions, checked against it at compile time and by a test), the node's request
// counters, and the names of commands forwarded between nodes.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rooms {

struct command_row {
  std::string_view name;
  /// The named arguments the method knows; the first `argument_count` are used.
  std::array<std::string_view, 6> arguments;
  std::size_t argument_count;
};

/// In the order of the `command` variant: create, then the room commands in the order of the
/// `room_command` variant (from `first_room_command`), then hello, ping, stats and list.
inline constexpr std::array<command_row, 15> command_table = {{
    {"create", {"user", "data", "meta", "expire"}, 4},
    {"delete", {"room", "user"}, 2},
    {"join", {"room", "user"}, 2},
    {"leave", {"room", "user"}, 2},
    {"edit", {"room", "user", "ops", "if_version", "key", "reply"}, 6},
    {"get", {"room", "presence"}, 2},
    {"subscribe", {"room", "since", "patch"}, 3},
    {"unsubscribe", {"room"}, 1},
    {"presence", {"room", "user", "session", "data", "ttl_ms"}, 5},
    {"set_meta", {"room", "user", "meta"}, 3},
    {"expire", {"room", "user", "idle_ms", "empty_ms"}, 4},
    {"hello", {"token", "client"}, 2},
    {"ping", {}, 0},
    {"stats", {}, 0},
    {"list", {"where", "limit", "after"}, 3},
}};

/// The row of the first alternative of `room_command`; its others follow in order.
inline constexpr std::size_t first_room_command = 1;
inline constexpr std::size_t room_command_count = 10;

/// Every method's name, in table order (the node's counters use it).
inline constexpr auto method_names = [] {
  std::array<std::string_view, command_table.size()> names{};
  for (std::size_t i = 0; i < command_table.size(); ++i) names[i] = command_table[i].name;
  return names;
}();

/// The row of `name`, if it is a method.
constexpr std::optional<std::size_t> command_index(std::string_view name) {
  for (std::size_t i = 0; i < command_table.size(); ++i)
    if (command_table[i].name == name) return i;
  return std::nullopt;
}

}  // namespace rooms
