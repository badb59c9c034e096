// Parsing and checking one op of an edit (see edit_op.hpp; docs/protocol.md).
#include "actors/room/edit_op.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

namespace rooms {

namespace {

struct op_spec {
  std::string_view name;
  edit_kind kind;
  bool has_from;
  std::string_view operand;  // "value", "by", or empty
};

constexpr std::array<op_spec, 9> op_specs = {{
    {"add", edit_kind::add, false, "value"},
    {"remove", edit_kind::remove, false, ""},
    {"replace", edit_kind::replace, false, "value"},
    {"move", edit_kind::move, true, ""},
    {"copy", edit_kind::copy, true, ""},
    {"test", edit_kind::test, false, "value"},
    {"set", edit_kind::set, false, "value"},
    {"merge", edit_kind::merge, false, "value"},
    {"incr", edit_kind::incr, false, "by"},
}};

const op_spec* find_spec(std::string_view name) {
  for (const auto& spec : op_specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

rooms_error malformed(std::size_t index, std::string_view why) {
  return rooms_error{error_code::invalid_argument, fmt::format("op {}: {}", index, why),
                     json{{"index", index}}};
}

// Reads member `name` ("path" or "from") of `op` as a JSON Pointer into `tokens`.
std::optional<rooms_error> read_pointer(const value_map& op, const char* name, edit_op& parsed,
                                        edit_path& tokens, std::string_view& text) {
  const value* it = op.find(name);
  if (it == nullptr)
    return op_error(error_code::invalid_argument, parsed,
                    fmt::format("the member \"{}\" is missing", name));
  if (!it->is_string())
    return op_error(error_code::invalid_argument, parsed,
                    fmt::format("\"{}\" must be a string holding a JSON Pointer, not {}", name,
                                kind_phrase(*it)));
  text = it->as_string();
  std::string why_not;
  auto path = parse_edit_path(text, why_not);
  if (!path)
    return op_error(
        error_code::invalid_argument, parsed,
        fmt::format("\"{}\" {} is not a JSON Pointer: {}", name, quoted_text(text), why_not));
  tokens = std::move(*path);
  return std::nullopt;
}

// The rules on `value` and `by` that hold whatever the data is.
std::optional<rooms_error> check_operand(const edit_op& op) {
  const auto invalid = [&](std::string why) {
    return op_error(error_code::invalid_argument, op, why);
  };
  if (op.kind == edit_kind::merge && !op.value->is_map())
    return invalid(fmt::format("the merge value must be a map, not {}", kind_phrase(*op.value)));
  if (op.kind == edit_kind::incr && !op.value->is_number())
    return invalid(fmt::format("\"by\" must be a number, not {}", kind_phrase(*op.value)));
  const bool places_value =
      op.kind == edit_kind::add || op.kind == edit_kind::replace || op.kind == edit_kind::set;
  if (op.path.empty() && places_value && !op.value->is_map())
    return invalid(fmt::format("the root of room data must stay a map; the value is {}",
                               kind_phrase(*op.value)));
  if (op.path.empty() && op.kind == edit_kind::remove)
    return invalid("the root of room data cannot be removed");
  if (op.path.empty() && op.kind == edit_kind::incr)
    return invalid("the root of room data is a map and cannot be incremented");
  return std::nullopt;
}

}  // namespace

result<edit_op> parse_edit_op(const value& op_value, std::size_t index) {
  if (!op_value.is_map())
    return malformed(index, fmt::format("an op must be a map, not {}", kind_phrase(op_value)));
  const value_map& op = op_value.as_map();
  const value* name = op.find("op");
  if (name == nullptr || !name->is_string())
    return malformed(index, "the member \"op\" must be a string naming the operation");
  const op_spec* spec = find_spec(name->as_string());
  if (spec == nullptr)
    return malformed(index, fmt::format("unknown op {}; the ops are add, remove, replace, move, "
                                        "copy, test, set, merge and incr",
                                        quoted_text(name->as_string())));
  edit_op parsed;
  parsed.kind = spec->kind;
  parsed.index = index;
  parsed.name = spec->name;
  std::string_view path_text;
  if (auto error = read_pointer(op, "path", parsed, parsed.path, path_text)) return *error;
  parsed.path_text = path_text;
  std::string_view from_text;
  if (spec->has_from)
    if (auto error = read_pointer(op, "from", parsed, parsed.from, from_text)) return *error;
  if (!spec->operand.empty()) {
    const value* operand = op.find(spec->operand);
    if (operand == nullptr)
      return op_error(error_code::invalid_argument, parsed,
                      fmt::format("the member \"{}\" is missing", spec->operand));
    parsed.value = operand;
  }
  if (auto error = check_operand(parsed)) return *error;
  return parsed;
}

rooms_error op_error(error_code code, const edit_op& op, std::string_view why) {
  const std::string where = op.path_text ? fmt::format("{} {}", op.name, quoted_text(*op.path_text))
                                         : std::string{op.name};
  return rooms_error{code, fmt::format("op {} ({}): {}", op.index, where, why),
                     json{{"index", op.index}}};
}

}  // namespace rooms
