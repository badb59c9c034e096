// Room ids: random UUIDs (version 4, RFC 4122) in canonical lowercase form (docs/protocol.md
// section 2), drawn from the kernel's random source.
#pragma once

#include <string>
#include <string_view>

namespace rooms {

/// A new random room id, e.g. "3f2b8c1e-5d4a-4f7b-9c2e-1a6b7d8e9f00".
std::string new_room_id();

/// True for a canonical lowercase 36-character UUID string.
bool is_room_id(std::string_view text);

}  // namespace rooms
