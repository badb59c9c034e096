// The edit engine: applies an edit's ops to a room's data in place and atomically, with an undo
// log, so that an edit costs what its ops touch, never a copy of the whole document.
// The ops are docs/protocol.md: RFC 6902 add/remove/replace/move/copy/test, and our
// set, merge (RFC 7386 at a path) and incr.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/rooms_error.hpp"
#include "protocol/value.hpp"

namespace rooms {

using json = nlohmann::json;

struct document_limits {
  std::size_t max_data_bytes = 8 << 20;
  std::size_t max_ops = 1000;
  std::size_t max_depth = 64;
};

/// An edit's RFC 6902 patch as it is made: `count` operations, each encoded (a map of "op",
/// "path" and, for add and replace, "value"), one after the other in `ops`.
struct edit_patch {
  std::string ops;
  std::size_t count = 0;

  /// The patch as one encoded array.
  std::string encoded() const;
};

/// A room's data with its tracked serialized size (packed_size(data) at all times).
struct document {
  value data = value::map();
  std::size_t packed_bytes = 1;
};

/// Applies `ops` (must be an array) to `doc`. Either every op applies and std::nullopt is
/// returned, or `doc` is left exactly as it was (data and packed_bytes) and the error says why:
///  - too_large: more ops than max_ops (no index), or the result would exceed max_data_bytes;
///  - invalid_argument with details {"index": i}: op i is malformed whatever the data holds,
///    or the result would nest deeper than max_depth;
///  - patch_failed with details {"index": i}: op i cannot be applied to the current data.
/// With `patch`, a successful edit appends to it the RFC 6902 add/remove/replace operations that
/// do what the edit did (edit_transaction.hpp); a failed one leaves it as it was.
std::optional<rooms_error> apply_edit(document& doc, const value& ops,
                                      const document_limits& limits, edit_patch* patch = nullptr);

}  // namespace rooms
