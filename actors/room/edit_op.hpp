// One op of an edit, parsed and checked for what does not depend on the data (docs/protocol.md
// section 5: a malformed op is invalid_argument with its index), and the shape of op errors.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "actors/room/edit_path.hpp"
#include "protocol/result.hpp"

namespace rooms {

enum class edit_kind { add, remove, replace, move, copy, test, set, merge, incr };

/// An op whose members are all present and well typed. `value` (add, replace, test, set, merge)
/// or `by` (incr) points into the edit's ops, which outlive the op.
struct edit_op {
  edit_kind kind = edit_kind::test;
  std::size_t index = 0;
  std::string_view name;
  std::optional<std::string_view> path_text;  // as written; unset until read
  edit_path path;
  edit_path from;
  const rooms::value* value = nullptr;
};

/// Parses op number `index`; invalid_argument with details {"index": index} when it is
/// malformed whatever the data holds.
result<edit_op> parse_edit_op(const value& op, std::size_t index);

/// An error about `op`: the message names the op, its index and path, then says `why`; the
/// details carry {"index": op.index}.
rooms_error op_error(error_code code, const edit_op& op, std::string_view why);

}  // namespace rooms
