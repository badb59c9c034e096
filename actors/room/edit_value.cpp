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

bool integer_equals_float(const value& integer, double f) {
  // Outside [-2^63, 2^64) or with a fraction, a double equals no 64-bit integer.
  if (!(f >= -0x1p63 && f < 0x1p64) || std::trunc(f) != f) return false;
  return static_cast<wide_int>(f) == integer.as_int128();
}

bool numbers_equal(const value& a, const value& b) {
  if (a.is_float() && b.is_float()) return a.as_double() == b.as_double();
  if (a.is_float()) return integer_equals_float(b, a.as_double());
  if (b.is_float()) return integer_equals_float(a, b.as_double());
  return a.as_int128() == b.as_int128();
}

bool maps_equal(const value_map& a, const value_map& b) {
  if (a.size() != b.size()) return false;
  // Both maps are ordered by key, so equal maps line up member by member.
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->key.as_bytes() != j->key.as_bytes() || !values_equal(i->val, j->val)) return false;
  return true;
}

bool arrays_equal(const value_array& a, const value_array& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!values_equal(a[i], b[i])) return false;
  return true;
}

}  // namespace

bool values_equal(const value& a, const value& b) {
  if (a.is_number() && b.is_number()) return numbers_equal(a, b);
  if (a.kind() != b.kind()) return false;
  if (a.is_map()) return maps_equal(a.as_map(), b.as_map());
  if (a.is_array()) return arrays_equal(a.as_array(), b.as_array());
  return a == b;
}

std::optional<value> add_numbers(const value& a, const value& b) {
  if (a.is_float() || b.is_float()) return value::floating(a.as_double() + b.as_double());
  const wide_int sum = a.as_int128() + b.as_int128();
  if (sum < std::numeric_limits<std::int64_t>::min() ||
      sum > std::numeric_limits<std::uint64_t>::max())
    return std::nullopt;
  return value::of_int128(sum);
}

value merge_result(const value& patch) {
  if (!patch.is_map()) return patch;
  value_map members;
  for (const auto& [key, member] : patch.as_map())
    if (!member.is_nil()) members.push_back_sorted({key, merge_result(member)});
  return value::map(std::move(members));
}

}  // namespace rooms
