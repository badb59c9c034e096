// Turns a request's method name and named-argument map into a typed command, checking every
// argument's presence and type (docs/protocol.md). An argument the method does not
// know is `invalid_argument` naming it and, when one is close, the argument it was meant to be.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/commands.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// Limits on identifiers, from docs/protocol.md.
inline constexpr std::size_t max_user_bytes = 256;
inline constexpr std::size_t max_key_bytes = 128;
inline constexpr std::size_t max_session_bytes = 128;
inline constexpr std::uint64_t min_presence_ttl_ms = 1000;
inline constexpr std::uint64_t max_presence_ttl_ms = 3'600'000;

/// `params` is the map of named arguments. Errors: `unknown_method`,
/// `invalid_argument` (unknown, missing or mistyped argument; a user id that is not 1 to 256 bytes
/// of UTF-8; a key that is not 1 to 128 bytes; create data that is not a map).
result<command> parse_command(std::string_view method, const value& params);

/// True for the methods of docs/protocol.md.
bool is_known_method(std::string_view method);

/// True for a string of 1 to 256 bytes of valid UTF-8.
bool is_valid_user_id(const value& v);

}  // namespace rooms
