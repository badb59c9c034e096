// JSON as rooms-cli reads and prints it: MessagePack binary appears as {"$binary": "<base64>"}
// both ways (docs/protocol.md lists the type mapping; docs/protocol.md the value types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/result.hpp"

namespace rooms::cli {

using json = nlohmann::json;

/// Parses JSON text from the command line. An object that is exactly {"$binary": "<base64>"}
/// becomes binary. Errors: `invalid_argument` naming `what` (e.g. "VALUE_JSON").
result<json> parse_json_argument(std::string_view text, std::string_view what);

/// `value` with every binary replaced by {"$binary": "<base64>"}.
json to_printable(const json& value);

/// `value` as printable JSON text: indented, or on one line when `compact`. Strings that are
/// not valid UTF-8 get U+FFFD for each bad byte instead of failing.
std::string to_text(const json& value, bool compact);

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(const std::vector<std::uint8_t>& bytes);

/// Decodes standard base64; the padding may be left out. Nothing if `text` is not base64.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace rooms::cli
