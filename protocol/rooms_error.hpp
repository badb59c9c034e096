// A failure as a value: the code, a human readable message, and the extra members of the wire
// error map (docs/protocol.md: {"code", "message", ...}), such as "index" or "version".
#pragma once

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/error_code.hpp"

namespace rooms {

struct rooms_error {
  error_code code = error_code::internal;
  std::string message;
  /// Extra members of the wire error map; always an object.
  nlohmann::json details = nlohmann::json::object();

  rooms_error() = default;
  rooms_error(error_code c, std::string msg, nlohmann::json extra = nlohmann::json::object())
      : code(c), message(std::move(msg)), details(std::move(extra)) {}

  /// The wire form: {"code": ..., "message": ..., plus details}.
  nlohmann::json to_wire() const;
};

}  // namespace rooms
