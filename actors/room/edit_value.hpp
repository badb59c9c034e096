// Value rules of the edit ops (docs/protocol.md): test's equality, incr's arithmetic, and
// the value RFC 7386 places where the merge target is not a map.
#pragma once

#include <optional>

#include "protocol/value.hpp"

namespace rooms {

/// RFC 6902 equality for `test`: numbers compare by exact value whatever their representation
/// (integer or float), a boolean never equals a number, maps ignore member order. Unlike
/// value's operator==, which compares kinds exactly (1 is not 1.0 there).
bool values_equal(const value& a, const value& b);

/// a + b for numbers (not booleans): a float when either is a float, otherwise the exact integer
/// sum stored as decoding would store it (unsigned when >= 0, signed when negative), or
/// std::nullopt when it does not fit in 64 bits.
std::optional<value> add_numbers(const value& a, const value& b);

/// What RFC 7386's MergePatch(Target, patch) yields when Target is not a map: `patch` with the
/// nil members of its maps removed, recursively (arrays are values and are kept as they are).
value merge_result(const value& patch);

}  // namespace rooms
