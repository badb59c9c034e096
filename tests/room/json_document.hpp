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
#include "protocol/value_msgpack.hpp"

namespace rooms::testing {

struct json_document {
  nlohmann::json data = nlohmann::json::object();
  /// The engine's tracked size, as it left it.
  std::size_t packed_bytes = 1;
  /// The RFC 6902 patch the last edit made (empty after a failed one).
  nlohmann::json patch = nlohmann::json::array();
};

inline json_document make_doc(const nlohmann::json& data) {
  return {data, packed_size(data), nlohmann::json::array()};
}

/// apply_edit on the value form of `doc` and `ops`; `doc` then shows what the engine left, and
/// the patch it made.
inline std::optional<rooms_error> apply_edit(json_document& doc, const nlohmann::json& ops,
                                             const document_limits& limits) {
  document native{json_to_value(doc.data), doc.packed_bytes};
  edit_patch patch;
  auto error = rooms::apply_edit(native, json_to_value(ops), limits, &patch);
  doc = {value_to_json(native.data), native.packed_bytes,
         value_to_json(value_from_msgpack_bytes(patch.encoded(), 1000).value())};
  return error;
}

/// Why `patch` is not what a `patch: true` subscriber may receive for an edit that turned
/// `before` into `after` (docs/protocol.md, section 6), or empty when it is: only add, remove
/// and replace, concrete paths (no "-"), and nlohmann's independent RFC 6902 implementation
/// applied to `before` yields `after` with the same MessagePack bytes (types kept).
inline std::string patch_problem(const nlohmann::json& before, const nlohmann::json& patch,
                                 const nlohmann::json& after) {
  if (!patch.is_array()) return "the patch is not an array";
  nlohmann::json replica = before;
  for (const auto& op : patch) {
    const std::string name = op.value("op", "");
    if (name != "add" && name != "remove" && name != "replace")
      return "op " + op.dump() + " is not add, remove or replace";
    try {
      const nlohmann::json::json_pointer pointer(op.value("path", ""));
      // "-" may only name a map member, never the end of an array.
      if (!pointer.empty() && pointer.back() == "-" &&
          !replica.at(pointer.parent_pointer()).is_object())
        return "op " + op.dump() + " appends with \"-\"";
      replica = replica.patch(nlohmann::json::array({op}));
    } catch (const nlohmann::json::exception& e) {
      return std::string{"json::patch refused "} + op.dump() + ": " + e.what() + " in " +
             patch.dump();
    }
  }
  if (to_msgpack_bytes(replica) != to_msgpack_bytes(after))
    return "the replica " + replica.dump() + " differs from " + after.dump() + " after " +
           patch.dump();
  return {};
}

}  // namespace rooms::testing
