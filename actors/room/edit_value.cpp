// Equality, arithmetic and merge values for the edit ops (see edit_value.hpp; docs/protocol.md
// section 5). The recursions follow an op's value, whose depth the decoder limited.
#include "actors/room/edit_value.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace rooms {

namespace {

// Every 64-bit integer, signed or unsigned, and every sum of two of them fits.
using wide_int = __int128;

wide_int wide(const json& integer) {
  if (integer.is_number_unsigned()) return integer.get<std::uint64_t>();
  return integer.get<std::int64_t>();
}

bool integer_equals_float(const json& integer, double f) {
  // Outside [-2^63, 2^64) or with a fraction, a double equals no 64-bit integer.
  if (!(f >= -0x1p63 && f < 0x1p64) || std::trunc(f) != f) return false;
  return static_cast<wide_int>(f) == wide(integer);
}

bool numbers_equal(const json& a, const json& b) {
  if (a.is_number_float() && b.is_number_float()) return a.get<double>() == b.get<double>();
  if (a.is_number_float()) return integer_equals_float(b, a.get<double>());
  if (b.is_number_float()) return integer_equals_float(a, b.get<double>());
  return wide(a) == wide(b);
}

bool maps_equal(const json::object_t& a, const json::object_t& b) {
  if (a.size() != b.size()) return false;
  // Both maps are ordered by key, so equal maps line up member by member.
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->first != j->first || !values_equal(i->second, j->second)) return false;
  return true;
}

bool arrays_equal(const json::array_t& a, const json::array_t& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!values_equal(a[i], b[i])) return false;
  return true;
}

}  // namespace

bool values_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return numbers_equal(a, b);
  if (a.type() != b.type()) return false;
  if (a.is_object())
    return maps_equal(a.get_ref<const json::object_t&>(), b.get_ref<const json::object_t&>());
  if (a.is_array())
    return arrays_equal(a.get_ref<const json::array_t&>(), b.get_ref<const json::array_t&>());
  return a == b;
}

std::optional<json> add_numbers(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) return json(a.get<double>() + b.get<double>());
  const wide_int sum = wide(a) + wide(b);
  if (sum < 0) {
    if (sum < std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return json(static_cast<std::int64_t>(sum));
  }
  if (sum > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
  return json(static_cast<std::uint64_t>(sum));
}

json merge_result(const json& patch) {
  if (!patch.is_object()) return patch;
  json out = json::object();
  auto& members = *out.get_ptr<json::object_t*>();
  for (const auto& [key, value] : patch.get_ref<const json::object_t&>())
    if (!value.is_null()) members.emplace(key, merge_result(value));
  return out;
}

}  // namespace rooms
