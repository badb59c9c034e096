// Recognises a connection that opens with text instead of MessagePack-RPC: an HTTP request line
// or JSON (docs/protocol.md). Every byte of such text is a valid MessagePack positive
// fixint, so without this the decoder would answer one `error` notification per byte.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/rooms_error.hpp"

namespace rooms {

enum class opening { undecided, msgpack, http, json };

/// What the first bytes of a connection are. `undecided` while they are a strict prefix of an
/// HTTP request line's method and its space ("GE"): feed more and ask again.
opening sniff_opening(std::string_view first_bytes);

/// The `invalid_argument` error for an opening of text (`http` or `json`), saying what arrived:
/// an HTTP request's first line (which the decoder waits for), JSON's first byte (the rest may
/// not have arrived, and the message must not depend on how the bytes were split into reads).
rooms_error text_opening_error(opening kind, std::string_view first_bytes);

}  // namespace rooms
