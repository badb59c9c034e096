// value <-> nlohmann::json, for the edges that still speak trees of nlohmann's (commands,
// results, tests and the CLI's JSON). The mapping is msgpack_json.hpp's: null <-> nil,
// number_unsigned <-> unsigned_integer, number_integer <-> integer, number_float <-> floating,
// binary <-> binary, object <-> map.
#pragma once

#include <nlohmann/json.hpp>

#include "protocol/value.hpp"

namespace rooms {

value json_to_value(const nlohmann::json& j);
nlohmann::json value_to_json(const value& v);

}  // namespace rooms
