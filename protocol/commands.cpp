// Helpers on the typed commands of commands.hpp.
#include "protocol/commands.hpp"

namespace rooms {

const std::string& room_of(const room_command& cmd) {
  return std::visit([](const auto& c) -> const std::string& { return c.room; }, cmd);
}

}  // namespace rooms
