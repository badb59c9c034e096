// Value rules of the edit ops (docs/protocol.md): test's equality, incr's arithmetic, and
// the value RFC 7386 places where the merge target is not a map.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace rooms {

using json = nlohmann::json;

/// RFC 6902 equality for `test`: numbers compare by exact value whatever their representation
/// (integer or float), a boolean never equals a number, maps ignore member order. Unlike
/// nlohmann's operator==, which compares unsigned and signed integers after a cast (it finds
/// 18446744073709551615 equal to -1) and integers with floats after rounding to double.
bool values_equal(const json& a, const json& b);

/// a + b for numbers (not booleans): a float when either is a float, otherwise the exact integer
/// sum stored as decoding would store it (unsigned when >= 0, signed when negative), or
/// std::nullopt when it does not fit in 64 bits.
std::optional<json> add_numbers(const json& a, const json& b);

/// What RFC 7386's MergePatch(Target, patch) yields when Target is not a map: `patch` with the
/// nil members of its maps removed, recursively (arrays are values and are kept as they are).
json merge_result(const json& patch);

}  // namespace rooms
