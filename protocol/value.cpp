// The document node (see value.hpp).
#include "protocol/value.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

namespace rooms {

value::value(const value& other) {
  word_ = {value_kind::nil, 0, 0, 0, {}};
  *this = other;
}

value& value::operator=(const value& other) {
  if (this == &other) return *this;
  value copy;
  switch (other.kind()) {
    case value_kind::string:
    case value_kind::binary:
      copy = bytes_of(other.kind(), other.as_bytes());
      break;
    case value_kind::array:
      copy = array(other.as_array());
      break;
    case value_kind::map:
      copy = map(other.as_map());
      break;
    default:
      copy.word_ = other.word_;
      break;
  }
  release();
  steal(copy);
  return *this;
}

value& value::operator=(value&& other) noexcept {
  if (this == &other) return *this;
  release();
  steal(other);
  return *this;
}

void value::steal(value& other) noexcept {
  std::memcpy(static_cast<void*>(&small_), &other.small_, sizeof small_);
  other.word_ = {value_kind::nil, 0, 0, 0, {}};
}

void value::release() noexcept {
  switch (kind()) {
    case value_kind::string:
    case value_kind::binary:
      if (small_.size == on_heap) delete[] word_.chars;
      break;
    case value_kind::array:
      delete word_.array;
      break;
    case value_kind::map:
      delete word_.map;
      break;
    default:
      break;
  }
  word_.kind = value_kind::nil;
}

value value::boolean(bool b) {
  value v;
  v.word_.kind = value_kind::boolean;
  v.word_.b = b;
  return v;
}

value value::integer(std::int64_t i) {
  value v;
  v.word_.kind = value_kind::integer;
  v.word_.i = i;
  return v;
}

value value::unsigned_integer(std::uint64_t u) {
  value v;
  v.word_.kind = value_kind::unsigned_integer;
  v.word_.u = u;
  return v;
}

value value::of_int128(__int128 i) {
  return i < 0 ? integer(static_cast<std::int64_t>(i))
               : unsigned_integer(static_cast<std::uint64_t>(i));
}

value value::floating(double d) {
  value v;
  v.word_.kind = value_kind::floating;
  v.word_.d = d;
  return v;
}

value value::string(std::string_view text) { return bytes_of(value_kind::string, text); }

value value::binary(std::string_view bytes) { return bytes_of(value_kind::binary, bytes); }

value value::bytes_of(value_kind kind, std::string_view bytes) {
  value v;
  if (bytes.size() <= inline_capacity) {
    v.small_.kind = kind;
    v.small_.size = static_cast<std::uint8_t>(bytes.size());
    if (!bytes.empty()) std::memcpy(v.small_.chars, bytes.data(), bytes.size());
    return v;
  }
  auto chars = std::make_unique<char[]>(bytes.size());
  std::memcpy(chars.get(), bytes.data(), bytes.size());
  v.word_.kind = kind;
  v.word_.size = on_heap;
  v.word_.length = static_cast<std::uint32_t>(bytes.size());
  v.word_.chars = chars.release();
  return v;
}

value value::array(value_array elements) {
  value v;
  v.word_.array = new value_array(std::move(elements));
  v.word_.kind = value_kind::array;
  return v;
}

value value::map() { return map(value_map{}); }

value value::map(value_map members) {
  value v;
  v.word_.map = new value_map(std::move(members));
  v.word_.kind = value_kind::map;
  return v;
}

__int128 value::as_int128() const {
  return kind() == value_kind::unsigned_integer ? static_cast<__int128>(word_.u)
                                                : static_cast<__int128>(word_.i);
}

double value::as_double() const {
  switch (kind()) {
    case value_kind::floating:
      return word_.d;
    case value_kind::unsigned_integer:
      return static_cast<double>(word_.u);
    case value_kind::integer:
      return static_cast<double>(word_.i);
    default:
      return 0;
  }
}

std::string_view value::as_bytes() const {
  if (small_.size == on_heap) return {word_.chars, word_.length};
  return {small_.chars, small_.size};
}

std::size_t value::size() const {
  if (is_array()) return word_.array->size();
  if (is_map()) return word_.map->size();
  return 0;
}

bool operator==(const value& a, const value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case value_kind::nil:
      return true;
    case value_kind::boolean:
      return a.as_bool() == b.as_bool();
    case value_kind::integer:
      return a.as_int() == b.as_int();
    case value_kind::unsigned_integer:
      return a.as_uint() == b.as_uint();
    case value_kind::floating:
      // Bit patterns, so that a NaN equals itself: this is identity of content, not arithmetic.
      return std::memcmp(&a.word_.d, &b.word_.d, sizeof(double)) == 0;
    case value_kind::string:
    case value_kind::binary:
      return a.as_bytes() == b.as_bytes();
    case value_kind::array:
      return a.as_array() == b.as_array();
    case value_kind::map:
      return a.as_map() == b.as_map();
  }
  return false;
}

// --- value_map -------------------------------------------------------------------------------

value_map::iterator value_map::lower_bound(std::string_view key) {
  return std::lower_bound(
      members_.begin(), members_.end(), key,
      [](const value_member& m, std::string_view k) { return m.key.as_bytes() < k; });
}

value_map::const_iterator value_map::lower_bound(std::string_view key) const {
  return std::lower_bound(
      members_.begin(), members_.end(), key,
      [](const value_member& m, std::string_view k) { return m.key.as_bytes() < k; });
}

value* value_map::find(std::string_view key) {
  const auto it = lower_bound(key);
  return it != members_.end() && it->key.as_bytes() == key ? &it->val : nullptr;
}

const value* value_map::find(std::string_view key) const {
  const auto it = lower_bound(key);
  return it != members_.end() && it->key.as_bytes() == key ? &it->val : nullptr;
}

value& value_map::insert_or_assign(std::string_view key, value v) {
  const auto it = lower_bound(key);
  if (it != members_.end() && it->key.as_bytes() == key) {
    it->val = std::move(v);
    return it->val;
  }
  return members_.insert(it, value_member{value::string(key), std::move(v)})->val;
}

value& value_map::insert(value_member member) {
  const auto it = lower_bound(member.key.as_bytes());
  return members_.insert(it, std::move(member))->val;
}

value_map value_map::from_unsorted(std::vector<value_member> members) {
  const auto key_less = [](const value_member& a, const value_member& b) {
    return a.key.as_bytes() < b.key.as_bytes();
  };
  value_map out;
  // Strictly increasing keys (the common case: our own encoder writes maps so) are taken as
  // they are, after one pass.
  const auto not_increasing = [](const value_member& a, const value_member& b) {
    return !(a.key.as_bytes() < b.key.as_bytes());
  };
  if (std::adjacent_find(members.begin(), members.end(), not_increasing) == members.end()) {
    out.members_ = std::move(members);
    return out;
  }
  // Stable, so that the members of one key keep their order and the last one can be kept.
  std::stable_sort(members.begin(), members.end(), key_less);
  out.members_.reserve(members.size());
  for (auto& member : members) {
    if (!out.members_.empty() && out.members_.back().key.as_bytes() == member.key.as_bytes())
      out.members_.back().val = std::move(member.val);
    else
      out.members_.push_back(std::move(member));
  }
  return out;
}

value_member value_map::extract(std::string_view key) {
  const auto it = lower_bound(key);
  value_member taken = std::move(*it);
  members_.erase(it);
  return taken;
}

}  // namespace rooms
