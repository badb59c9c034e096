// The edit engine: every op of docs/protocol.md applied in place on the room's value tree, with
// an undo log (edit_transaction) for atomicity: each mutation goes through a primitive that logs
// its undo and keeps the size exact.
#include "actors/room/edit_engine.hpp"

#include <cassert>
#include <exception>
#include <string>

#include <fmt/format.h>

#include "actors/room/edit_op.hpp"
#include "actors/room/edit_transaction.hpp"
#include "actors/room/edit_value.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

using outcome = std::optional<rooms_error>;

// Where set, merge and incr put their result: an existing value, or a new member or element
// `token` of `parent`.
struct slot {
  value* parent = nullptr;
  value* existing = nullptr;
  std::string token;
};

// A number as a message shows it (integers exactly, floats as JSON would print them).
std::string number_text(const value& number) {
  if (number.is_float()) return fmt::format("{}", number.as_double());
  if (number.kind() == value_kind::integer) return fmt::format("{}", number.as_int());
  return fmt::format("{}", number.as_uint());
}

path_view parent_of(const edit_path& path) { return path_view(path).first(path.size() - 1); }

class edit_applier {
 public:
  edit_applier(document& doc, const document_limits& limits, edit_patch* patch)
      : tx_(doc, patch), limits_(limits) {}

  outcome apply_all(const value_array& ops);
  void rollback() { tx_.rollback(); }

 private:
  outcome apply(const edit_op& op);
  outcome add(const edit_op& op);
  outcome remove(const edit_op& op);
  outcome replace(const edit_op& op);
  outcome move(const edit_op& op);
  outcome copy(const edit_op& op);
  outcome test(const edit_op& op);
  outcome set(const edit_op& op);
  outcome merge(const edit_op& op);
  outcome incr(const edit_op& op);

  outcome add_at_path(const edit_op& op, sized_value& v);
  outcome check_depth(const edit_op& op, std::size_t tokens, const value& v) const;
  result<value*> ensure_parent(const edit_op& op);
  result<slot> locate_for_set(const edit_op& op);
  void place(const slot& where, path_view parent_path, sized_value v);
  outcome merge_into(const edit_op& op, value& target, edit_path& location, const value& patch);
  outcome merge_member(const edit_op& op, value& target, edit_path& location,
                       const std::string& key, const value& patch);
  outcome array_slot_error(const edit_op& op, const value& array, path_view array_path,
                           const std::optional<std::size_t>& index) const;

  outcome failed(const edit_op& op, const std::string& why) const {
    return op_error(error_code::patch_failed, op, why);
  }
  value& root() { return tx_.root(); }

  edit_transaction tx_;
  const document_limits& limits_;
};

outcome edit_applier::apply_all(const value_array& ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto op = parse_edit_op(ops[i], i);
    if (!op) return op.error();
    if (auto error = apply(*op)) return error;
    // Checked after every op, not only at the end: a chain of copies could otherwise double
    // the data with each op before the end is reached.
    if (tx_.packed_bytes() > limits_.max_data_bytes)
      return op_error(error_code::too_large, *op,
                      fmt::format("the room's data would take {} bytes; the limit is {}",
                                  tx_.packed_bytes(), limits_.max_data_bytes));
  }
  return std::nullopt;
}

outcome edit_applier::apply(const edit_op& op) {
  switch (op.kind) {
    case edit_kind::add:
      return add(op);
    case edit_kind::remove:
      return remove(op);
    case edit_kind::replace:
      return replace(op);
    case edit_kind::move:
      return move(op);
    case edit_kind::copy:
      return copy(op);
    case edit_kind::test:
      return test(op);
    case edit_kind::set:
      return set(op);
    case edit_kind::merge:
      return merge(op);
    case edit_kind::incr:
      return incr(op);
  }
  return failed(op, "unknown op");
}

// --- RFC 6902 ---------------------------------------------------------------------------------

outcome edit_applier::add(const edit_op& op) {
  if (auto error = check_depth(op, op.path.size(), *op.value)) return error;
  sized_value v = make_sized(*op.value);
  return add_at_path(op, v);
}

outcome edit_applier::remove(const edit_op& op) {
  value* parent = find_value(root(), parent_of(op.path));
  if (parent == nullptr || find_child(*parent, op.path.back()) == nullptr)
    return failed(op, describe_missing(root(), op.path));
  tx_.erase(*parent, parent_of(op.path), op.path.back());
  return std::nullopt;
}

outcome edit_applier::replace(const edit_op& op) {
  value* target = find_value(root(), op.path);
  if (target == nullptr) return failed(op, describe_missing(root(), op.path));
  if (auto error = check_depth(op, op.path.size(), *op.value)) return error;
  tx_.replace(*target, op.path, make_sized(*op.value));
  return std::nullopt;
}

outcome edit_applier::move(const edit_op& op) {
  const value* source = find_value(root(), op.from);
  if (source == nullptr) return failed(op, "from: " + describe_missing(root(), op.from));
  if (op.from == op.path) return std::nullopt;
  if (is_proper_prefix(op.from, op.path))
    return failed(op, fmt::format("cannot move {} into its own child", quoted_pointer(op.from)));
  // A value moved no deeper than it was cannot exceed the depth limit.
  if (op.path.size() > op.from.size())
    if (auto error = check_depth(op, op.path.size(), *source)) return error;
  value& from_parent = *find_value(root(), parent_of(op.from));
  sized_value v = tx_.detach(from_parent, parent_of(op.from), op.from.back());
  if (auto error = add_at_path(op, v)) {
    tx_.return_detached(std::move(v.value));
    return error;
  }
  return std::nullopt;
}

outcome edit_applier::copy(const edit_op& op) {
  const value* source = find_value(root(), op.from);
  if (source == nullptr) return failed(op, "from: " + describe_missing(root(), op.from));
  if (auto error = check_depth(op, op.path.size(), *source)) return error;
  sized_value v = make_sized(*source);
  return add_at_path(op, v);
}

outcome edit_applier::test(const edit_op& op) {
  const value* target = find_value(root(), op.path);
  if (target == nullptr) return failed(op, describe_missing(root(), op.path));
  if (!values_equal(*target, *op.value))
    return failed(op,
                  fmt::format("test failed: the value there ({}) is not equal to the test value",
                              kind_phrase(*target)));
  return std::nullopt;
}

// RFC 6902 "add" of `v` at op.path; `v` is moved from only when it was placed, so that a move
// can hand it back on failure.
outcome edit_applier::add_at_path(const edit_op& op, sized_value& v) {
  if (op.path.empty()) {
    if (!v.value.is_map())
      return failed(op, fmt::format("the root of room data must stay a map; the value is {}",
                                    kind_phrase(v.value)));
    tx_.replace(root(), {}, std::move(v));
    return std::nullopt;
  }
  const path_view parent_path = parent_of(op.path);
  value* parent = find_value(root(), parent_path);
  if (parent == nullptr) return failed(op, describe_missing(root(), parent_path));
  const std::string& token = op.path.back();
  if (parent->is_map()) {
    value* existing = find_child(*parent, token);
    place(slot{parent, existing, token}, parent_path, std::move(v));
    return std::nullopt;
  }
  const auto index = token == "-" && parent->is_array() ? parent->size() : parse_array_index(token);
  if (!parent->is_array() || !index || *index > parent->size())
    return array_slot_error(op, *parent, parent_path, index);
  place(slot{parent, nullptr, std::to_string(*index)}, parent_path, std::move(v));
  return std::nullopt;
}

// --- set, merge, incr -------------------------------------------------------------------------

outcome edit_applier::set(const edit_op& op) {
  if (auto error = check_depth(op, op.path.size(), *op.value)) return error;
  if (op.path.empty()) {
    tx_.replace(root(), {}, make_sized(*op.value));
    return std::nullopt;
  }
  auto where = locate_for_set(op);
  if (!where) return where.error();
  place(*where, parent_of(op.path), make_sized(*op.value));
  return std::nullopt;
}

outcome edit_applier::merge(const edit_op& op) {
  edit_path location = op.path;
  if (op.path.empty()) return merge_into(op, root(), location, *op.value);
  auto where = locate_for_set(op);
  if (!where) return where.error();
  if (where->existing != nullptr && where->existing->is_map())
    return merge_into(op, *where->existing, location, *op.value);
  value merged = merge_result(*op.value);
  if (auto error = check_depth(op, op.path.size(), merged)) return error;
  place(*where, parent_of(op.path), make_sized(std::move(merged)));
  return std::nullopt;
}

outcome edit_applier::incr(const edit_op& op) {
  if (auto error = check_depth(op, op.path.size(), *op.value)) return error;
  auto where = locate_for_set(op);
  if (!where) return where.error();
  // A missing target counts as 0; adding to it keeps incr's integer/float rule for the result.
  const value zero = value::unsigned_integer(0);
  const value& current = where->existing != nullptr ? *where->existing : zero;
  if (!current.is_number())
    return failed(op, fmt::format("incr needs a number there, not {}", kind_phrase(current)));
  auto sum = add_numbers(current, *op.value);
  if (!sum)
    return failed(op, fmt::format("integer overflow: {} + {} does not fit in 64 bits",
                                  number_text(current), number_text(*op.value)));
  place(*where, parent_of(op.path), make_sized(std::move(*sum)));
  return std::nullopt;
}

// RFC 7386 into the map `target` at `location`, member by member, so that only what changes is
// logged (the target is never copied).
outcome edit_applier::merge_into(const edit_op& op, value& target, edit_path& location,
                                 const value& patch) {
  for (const auto& [key_value, member] : patch.as_map()) {
    const std::string key{key_value.as_string()};
    if (member.is_nil()) {
      if (find_child(target, key) != nullptr) tx_.erase(target, location, key);
      continue;
    }
    if (auto error = merge_member(op, target, location, key, member)) return error;
  }
  return std::nullopt;
}

outcome edit_applier::merge_member(const edit_op& op, value& target, edit_path& location,
                                   const std::string& key, const value& patch) {
  value* current = find_child(target, key);
  if (current == nullptr || !current->is_map() || !patch.is_map()) {
    value merged = merge_result(patch);
    if (auto error = check_depth(op, location.size() + 1, merged)) return error;
    place(slot{&target, current, key}, location, make_sized(std::move(merged)));
    return std::nullopt;
  }
  location.push_back(key);
  outcome error = merge_into(op, *current, location, patch);
  location.pop_back();
  return error;
}

// --- locating ---------------------------------------------------------------------------------

// The container of op.path's last token, creating missing intermediate maps (set's rule).
result<value*> edit_applier::ensure_parent(const edit_op& op) {
  const path_view path(op.path);
  value* at = &root();
  for (std::size_t k = 0; k + 1 < path.size(); ++k) {
    value* next = find_child(*at, path[k]);
    if (next == nullptr) {
      if (!at->is_map()) return *failed(op, describe_missing(root(), path.first(k + 1)));
      next = &tx_.insert(*at, path.first(k), path[k], make_sized(value::map()));
    }
    at = next;
  }
  return at;
}

// set's target: a map member (existing or not), an existing array element, or the end of an
// array ("-" or the index equal to its length).
result<slot> edit_applier::locate_for_set(const edit_op& op) {
  // set and merge handle the root themselves; the parser rejects incr at the root.
  assert(!op.path.empty());
  auto parent = ensure_parent(op);
  if (!parent) return parent.error();
  value& container = **parent;
  const std::string& token = op.path.back();
  if (container.is_map()) return slot{&container, find_child(container, token), token};
  const auto index =
      token == "-" && container.is_array() ? container.size() : parse_array_index(token);
  if (!container.is_array() || !index || *index > container.size())
    return *array_slot_error(op, container, parent_of(op.path), index);
  value* existing = *index < container.size() ? &container.as_array()[*index] : nullptr;
  return slot{&container, existing, std::to_string(*index)};
}

// Why `container` offers no place for op.path's last token (it is not an array, or the token
// is no index of it, or the index is past its end).
outcome edit_applier::array_slot_error(const edit_op& op, const value& container,
                                       path_view array_path,
                                       const std::optional<std::size_t>& index) const {
  const std::string where = quoted_pointer(array_path);
  if (!container.is_array())
    return failed(op, fmt::format("{} is {}, not a map or array", where, kind_phrase(container)));
  if (!index)
    return failed(op, fmt::format("{} is not an element index of array {} (RFC 6901: \"-\" or "
                                  "digits without leading zeros)",
                                  op.path.back(), where));
  return failed(op, fmt::format("index {} is past the end of array {}, which has {} elements",
                                *index, where, container.size()));
}

// Puts `v` in `where`, whose parent sits at `parent_path`.
void edit_applier::place(const slot& where, path_view parent_path, sized_value v) {
  if (where.existing == nullptr) {
    tx_.insert(*where.parent, parent_path, where.token, std::move(v));
    return;
  }
  edit_path location(parent_path.begin(), parent_path.end());
  location.push_back(where.token);
  tx_.replace(*where.existing, location, std::move(v));
}

outcome edit_applier::check_depth(const edit_op& op, std::size_t tokens, const value& v) const {
  const std::size_t depth = tokens + nesting_depth(v);
  if (depth <= limits_.max_depth) return std::nullopt;
  return op_error(
      error_code::invalid_argument, op,
      fmt::format("the data would nest {} levels deep; the limit is {}", depth, limits_.max_depth));
}

}  // namespace

std::string edit_patch::encoded() const {
  std::string out;
  out.reserve(5 + ops.size());
  append_msgpack_array_header(out, count);
  out.append(ops);
  return out;
}

std::optional<rooms_error> apply_edit(document& doc, const value& ops,
                                      const document_limits& limits, edit_patch* patch) {
  if (!ops.is_array()) return rooms_error{error_code::invalid_argument, "ops must be an array"};
  if (ops.size() > limits.max_ops)
    return rooms_error{error_code::too_large,
                       fmt::format("an edit may hold at most {} ops; this one has {}",
                                   limits.max_ops, ops.size())};
  edit_applier applier(doc, limits, patch);
  try {
    auto error = applier.apply_all(ops.as_array());
    if (error) applier.rollback();
    return error;
  } catch (const std::exception& e) {
    // Only allocation failure can get here; the data is put back as it was all the same.
    applier.rollback();
    return rooms_error{error_code::internal, fmt::format("the edit failed: {}", e.what())};
  }
}

}  // namespace rooms
