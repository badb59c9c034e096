// The one table between durability modes and their configuration strings.
#include "actors/storage/durability.hpp"

#include <array>
#include <cstddef>

#include <fmt/format.h>

namespace rooms {

namespace {

constexpr std::array<std::string_view, 3> names = {"sync", "async", "none"};

}  // namespace

std::string_view to_string(durability mode) { return names.at(static_cast<std::size_t>(mode)); }

result<durability> parse_durability(std::string_view text) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == text) return static_cast<durability>(i);
  return rooms_error{error_code::invalid_argument,
                     fmt::format("durability must be one of sync, async, none; got \"{}\"", text)};
}

}  // namespace rooms
