// The one table between error codes and their wire strings.
#include "protocol/error_code.hpp"

#include <array>

namespace rooms {

namespace {

constexpr std::array<std::string_view, 13> names = {
    "invalid_argument", "unknown_method", "not_found",    "forbidden", "not_member",
    "conflict",         "key_reused",     "patch_failed", "too_large", "unauthenticated",
    "unavailable",      "overloaded",     "internal",
};

}  // namespace

std::string_view to_string(error_code code) { return names.at(static_cast<std::size_t>(code)); }

std::optional<error_code> parse_error_code(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<error_code>(i);
  return std::nullopt;
}

}  // namespace rooms
