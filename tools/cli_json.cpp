// The {"$binary": "<base64>"} form of MessagePack binary in rooms-cli's JSON, and base64.
#include "tools/cli_json.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

namespace rooms::cli {

namespace {

constexpr std::string_view binary_key = "$binary";
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool is_binary_form(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains(binary_key) &&
         value.begin()->is_string();
}

// Replaces every {"$binary": ...} in `value`; false if one is not base64.
bool decode_binary_forms(json& value) {
  if (is_binary_form(value)) {
    auto bytes = base64_decode(value.begin()->get_ref<const std::string&>());
    if (!bytes) return false;
    value = json::binary(std::move(*bytes));
    return true;
  }
  if (!value.is_structured()) return true;
  for (auto& child : value)
    if (!decode_binary_forms(child)) return false;
  return true;
}

int sextet(char c) {
  const auto pos = alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

result<json> parse_json_argument(std::string_view text, std::string_view what) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    std::string message = fmt::format("{} is not valid JSON: {}", what, text);
    // The usual cause: a string written bare, or its quotes eaten by the shell.
    if (!text.empty() && text.front() != '"' && text.front() != '{' && text.front() != '[')
      message += fmt::format(
          "; a JSON string needs double quotes, which the shell keeps inside single quotes: "
          "'\"{}\"'",
          text);
    return rooms_error{error_code::invalid_argument, std::move(message)};
  }
  if (!decode_binary_forms(value))
    return rooms_error{error_code::invalid_argument,
                       fmt::format("{} holds a \"$binary\" that is not base64", what)};
  return value;
}

json to_printable(const json& value) {
  if (value.is_binary()) return json{{binary_key, base64_encode(value.get_binary())}};
  if (value.is_array()) {
    json out = json::array();
    for (const auto& child : value) out.push_back(to_printable(child));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const auto& [key, child] : value.items()) out[key] = to_printable(child);
  return out;
}

namespace {

std::string scalar_text(const json& value) {
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (std::isnan(number)) return "NaN";
    if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
  }
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// nlohmann's layout (compact, or two spaces per level), with the non-finite floats that its
// dump() would print as null written as NaN, Infinity and -Infinity.
void write_text(std::string& out, const json& value, bool compact, std::size_t indent) {
  if (value.is_binary()) return write_text(out, to_printable(value), compact, indent);
  if (!value.is_structured() || value.empty()) {
    out += value.is_structured() ? (value.is_object() ? "{}" : "[]") : scalar_text(value);
    return;
  }
  const bool is_object = value.is_object();
  out += is_object ? '{' : '[';
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ',';
    first = false;
    if (!compact) out += '\n' + std::string(indent + 2, ' ');
    if (is_object) {
      out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace);
      out += compact ? ":" : ": ";
    }
    write_text(out, *it, compact, indent + 2);
  }
  if (!compact) out += '\n' + std::string(indent, ' ');
  out += is_object ? '}' : ']';
}

}  // namespace

std::string to_text(const json& value, bool compact) {
  std::string out;
  write_text(out, value, compact, 0);
  return out;
}

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t count = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j) group = (group << 8) | (j < count ? bytes[i + j] : 0);
    for (std::size_t j = 0; j < 4; ++j)
      out.push_back(j <= count ? alphabet[(group >> (18 - 6 * j)) & 0x3f] : '=');
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<std::uint8_t> out;
  std::uint32_t group = 0;
  std::size_t bits = 0;
  for (char c : text) {
    const int value = sextet(c);
    if (value < 0) return std::nullopt;
    group = (group << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(group >> bits));
      group &= (1u << bits) - 1;
    }
  }
  return out;
}

}  // namespace rooms::cli
