// A room document seen as nlohmann::json, for tests that state data and ops as JSON text: the
// edit runs on the engine's own document (value), and the result is read back exactly (the
// mapping of protocol/value_json.hpp loses no type).
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "actors/room/edit_engine.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/value_json.hpp"

namespace rooms::testing {

struct json_document {
  nlohmann::json data = nlohmann::json::object();
  /// The engine's tracked size, as it left it.
  std::size_t packed_bytes = 1;
};

inline json_document make_doc(const nlohmann::json& data) { return {data, packed_size(data)}; }

/// apply_edit on the value form of `doc` and `ops`; `doc` then shows what the engine left.
inline std::optional<rooms_error> apply_edit(json_document& doc, const nlohmann::json& ops,
                                             const document_limits& limits) {
  document native{json_to_value(doc.data), doc.packed_bytes};
  auto error = rooms::apply_edit(native, json_to_value(ops), limits);
  doc = {value_to_json(native.data), native.packed_bytes};
  return error;
}

}  // namespace rooms::testing
