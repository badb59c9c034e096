// The error codes of the wire protocol (docs/protocol.md), and their one mapping to the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rooms {

/// Every failure a caller can see. The names are the wire strings.
enum class error_code : std::uint8_t {
  invalid_argument,
  unknown_method,
  not_found,
  forbidden,
  not_member,
  conflict,
  key_reused,
  patch_failed,
  too_large,
  unauthenticated,
  unavailable,
  overloaded,
  internal,
};

/// The wire string of `code`, e.g. "not_found".
std::string_view to_string(error_code code);

/// The code named by a wire string, if any.
std::optional<error_code> parse_error_code(std::string_view name);

}  // namespace rooms
