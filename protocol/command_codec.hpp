// command_codec: a room command as MessagePack bytes, for calls that cross from one cluster node
// to another (docs/cluster.md). The bytes are the wire form `[method, params]` of docs/protocol.md
// section 4, and the receiving node reads them with the same parser as a backend's request, so
// a forwarded command means exactly what the backend sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/commands.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// The method name and named-argument map a backend would send for `cmd`.
std::string_view method_of(const room_command& cmd);
value params_of(const room_command& cmd);

/// `[method, params]` as MessagePack.
std::string encode_room_command(const room_command& cmd);

/// The inverse of encode_room_command. Values nested deeper than `max_depth` containers, bytes
/// that are not a `[method, params]` array, or a method that is not a room command are
/// `invalid_argument`; argument errors are parse_command's.
result<room_command> decode_room_command(std::string_view bytes, std::size_t max_depth);

}  // namespace rooms
