// JSON Pointer parsing and exception-free lookups for the edit engine (RFC 6901; docs/protocol.md
// sections 2 and 5).
#include "actors/room/edit_path.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace rooms {

namespace {

// RFC 6901's syntax, checked first so the reason can be precise.
bool is_pointer_syntax(std::string_view text, std::string& why_not) {
  if (!text.empty() && text.front() != '/') {
    why_not = "a JSON Pointer must be empty or start with '/'";
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '~') continue;
    if (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1')) {
      why_not = "'~' must be followed by '0' or '1' in a JSON Pointer";
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<edit_path> parse_edit_path(std::string_view text, std::string& why_not) {
  if (!is_pointer_syntax(text, why_not)) return std::nullopt;
  edit_path tokens;
  // Each '/' starts a token; "~1" stands for '/' and "~0" for '~' (the syntax is checked).
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('/', at + 1), text.size());
    std::string& token = tokens.emplace_back();
    for (std::size_t i = at + 1; i < end; ++i) {
      if (text[i] == '~') {
        token += text[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += text[i];
      }
    }
    at = end;
  }
  return tokens;
}

std::optional<std::size_t> parse_array_index(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token.front() == '0')) return std::nullopt;
  std::size_t index = 0;
  const char* end = token.data() + token.size();
  const auto [stop, error] = std::from_chars(token.data(), end, index);
  if (error != std::errc{} || stop != end) return std::nullopt;
  return index;
}

value* find_child(value& container, const std::string& token) {
  if (auto* members = container.if_map()) return members->find(token);
  if (auto* elements = container.if_array()) {
    const auto index = parse_array_index(token);
    return index && *index < elements->size() ? &(*elements)[*index] : nullptr;
  }
  return nullptr;
}

value* find_value(value& root, path_view path) {
  value* at = &root;
  for (const auto& token : path) {
    at = find_child(*at, token);
    if (at == nullptr) return nullptr;
  }
  return at;
}

std::string describe_missing(value& root, path_view path) {
  value* at = &root;
  for (std::size_t k = 0; k < path.size(); ++k) {
    value* next = find_child(*at, path[k]);
    if (next != nullptr) {
      at = next;
      continue;
    }
    const std::string here = quoted_pointer(path.first(k));
    if (at->is_map()) return fmt::format("map {} has no member {}", here, quoted_text(path[k]));
    if (!at->is_array()) return fmt::format("{} is {}, not a map or array", here, kind_phrase(*at));
    if (!parse_array_index(path[k]))
      return fmt::format(
          "{} is not an element index of array {} (RFC 6901: digits, no leading "
          "zeros; \"-\" names no existing element)",
          quoted_text(path[k]), here);
    return fmt::format("index {} is out of range: array {} has {} elements", path[k], here,
                       at->size());
  }
  return fmt::format("{} exists", quoted_pointer(path));
}

bool is_proper_prefix(path_view prefix, path_view path) {
  return prefix.size() < path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::string quoted_text(std::string_view text) {
  return json(std::string{text}).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string pointer_text(path_view path) {
  std::size_t length = 0;
  for (const auto& token : path) length += 1 + token.size();
  std::string text;
  text.reserve(length);
  for (const auto& token : path) {
    text += '/';
    for (const char c : token) {
      if (c == '~')
        text += "~0";
      else if (c == '/')
        text += "~1";
      else
        text += c;
    }
  }
  return text;
}

std::string quoted_pointer(path_view path) { return quoted_text(pointer_text(path)); }

std::string_view kind_phrase(const value& v) {
  switch (v.kind()) {
    case value_kind::map:
      return "a map";
    case value_kind::array:
      return "an array";
    case value_kind::string:
      return "a string";
    case value_kind::integer:
    case value_kind::unsigned_integer:
      return "an integer";
    case value_kind::floating:
      return "a float";
    case value_kind::boolean:
      return "a boolean";
    case value_kind::binary:
      return "binary data";
    case value_kind::nil:
      return "nil";
  }
  return "nil";
}

}  // namespace rooms
