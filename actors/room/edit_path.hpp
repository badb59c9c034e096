// JSON Pointer paths for the edit engine: RFC 6901 parsing, the
// RFC 6901 array index rule, and exception-free lookups in a document (docs/protocol.md).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/value.hpp"

namespace rooms {

using json = nlohmann::json;

/// The unescaped reference tokens of a JSON Pointer; the root has none.
using edit_path = std::vector<std::string>;

/// A location given by its tokens: a whole edit_path or a prefix of one (its parent).
using path_view = std::span<const std::string>;

/// Parses `text` as a JSON Pointer, or says why it is not one.
std::optional<edit_path> parse_edit_path(std::string_view text, std::string& why_not);

/// The element index a token names under RFC 6901 ("0", or digits without a leading zero, that
/// fit in size_t). "-" is not an index: callers that accept it handle it first.
std::optional<std::size_t> parse_array_index(const std::string& token);

/// The member or element of `container` that `token` names, or nullptr when there is none
/// (including a scalar container and "-").
value* find_child(value& container, const std::string& token);

/// The value at `path` below `root`, or nullptr when some token names nothing.
value* find_value(value& root, path_view path);

/// Why find_value(root, path) is nullptr, in words: which token fails and how.
std::string describe_missing(value& root, path_view path);

/// True when `prefix` is a proper prefix of `path` (RFC 6902's rule for move).
bool is_proper_prefix(path_view prefix, path_view path);

/// `text` as a JSON string literal, for messages (invalid UTF-8 shown as U+FFFD).
std::string quoted_text(std::string_view text);

/// `path` as JSON Pointer text, each token escaped as RFC 6901 says ("~" as "~0", "/" as "~1");
/// the root is "".
std::string pointer_text(path_view path);

/// `path` as escaped JSON Pointer text, quoted for messages (the root is "").
std::string quoted_pointer(path_view path);

/// The kind of `value` in words, for messages: "a map", "an array", "an integer", "nil", ...
std::string_view kind_phrase(const value& v);

}  // namespace rooms
