// The wire form of an error (docs/protocol.md).
#include "protocol/rooms_error.hpp"

namespace rooms {

nlohmann::json rooms_error::to_wire() const {
  nlohmann::json wire = details.is_object() ? details : nlohmann::json::object();
  wire["code"] = std::string{to_string(code)};
  wire["message"] = message;
  return wire;
}

}  // namespace rooms
