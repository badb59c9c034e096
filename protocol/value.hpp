// value: the MessagePack-native document node that holds room data and edit ops
// (docs/protocol.md, "Room data"). It keeps MessagePack's types exactly (nil, bool, signed and
// unsigned integers, float64, str, bin, array, map with str keys) in 16 bytes:
//  - strings and binaries of up to 14 bytes live inside the node, longer ones in one heap block;
//  - an array is a vector of nodes, a map a vector of (key, value) members sorted by key bytes,
//    so a lookup is a binary search over contiguous memory and iteration is in key order.
// Copies are deep; a moved-from value is nil. Nothing here knows JSON or the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rooms {

enum class value_kind : std::uint8_t {
  nil,
  boolean,
  integer,           // negative (or any int64 built by value::integer)
  unsigned_integer,  // what MessagePack's positive integers decode to
  floating,          // a 64-bit IEEE 754 double
  string,
  binary,
  array,
  map,
};

class value;
class value_map;
using value_array = std::vector<value>;

class value {
 public:
  value() noexcept { word_ = {value_kind::nil, 0, 0, 0, {}}; }
  ~value() { release(); }
  value(const value& other);
  value(value&& other) noexcept { steal(other); }
  value& operator=(const value& other);
  value& operator=(value&& other) noexcept;

  static value boolean(bool b);
  static value integer(std::int64_t i);
  static value unsigned_integer(std::uint64_t u);
  /// A non-negative integer as unsigned, a negative one as signed (what decoding produces).
  static value of_int128(__int128 i);
  static value floating(double d);
  static value string(std::string_view text);
  static value binary(std::string_view bytes);
  static value array(value_array elements = {});
  static value map();
  static value map(value_map members);

  value_kind kind() const { return word_.kind; }
  bool is_nil() const { return kind() == value_kind::nil; }
  bool is_bool() const { return kind() == value_kind::boolean; }
  bool is_integer() const {
    return kind() == value_kind::integer || kind() == value_kind::unsigned_integer;
  }
  bool is_number() const { return is_integer() || kind() == value_kind::floating; }
  bool is_float() const { return kind() == value_kind::floating; }
  bool is_string() const { return kind() == value_kind::string; }
  bool is_binary() const { return kind() == value_kind::binary; }
  bool is_array() const { return kind() == value_kind::array; }
  bool is_map() const { return kind() == value_kind::map; }
  bool is_container() const { return is_array() || is_map(); }

  bool as_bool() const { return word_.b; }
  /// Preconditions: kind() is integer (as_int) or unsigned_integer (as_uint).
  std::int64_t as_int() const { return word_.i; }
  std::uint64_t as_uint() const { return word_.u; }
  /// The exact integer of either integer kind.
  __int128 as_int128() const;
  /// A float's value, or an integer's nearest double.
  double as_double() const;
  /// The bytes of a string or binary.
  std::string_view as_bytes() const;
  std::string_view as_string() const { return as_bytes(); }

  value_array& as_array() { return *word_.array; }
  const value_array& as_array() const { return *word_.array; }
  value_map& as_map() { return *word_.map; }
  const value_map& as_map() const { return *word_.map; }
  value_array* if_array() { return is_array() ? word_.array : nullptr; }
  const value_array* if_array() const { return is_array() ? word_.array : nullptr; }
  value_map* if_map() { return is_map() ? word_.map : nullptr; }
  const value_map* if_map() const { return is_map() ? word_.map : nullptr; }

  /// Elements of an array or members of a map; 0 for a scalar.
  std::size_t size() const;

  /// The same kinds and contents, exactly (1 never equals 1.0; maps compare member by member).
  friend bool operator==(const value& a, const value& b);

 private:
  static constexpr std::size_t inline_capacity = 14;
  static constexpr std::uint8_t on_heap = 0xff;

  // Every representation starts with the kind and a byte that tells an inline string's length
  // (or on_heap), so that they share a common initial sequence.
  struct small_rep {
    value_kind kind;
    std::uint8_t size;
    char chars[inline_capacity];
  };
  struct word_rep {
    value_kind kind;
    std::uint8_t size;
    std::uint16_t unused;
    std::uint32_t length;  // of a heap string or binary
    union {
      bool b;
      std::int64_t i;
      std::uint64_t u;
      double d;
      char* chars;
      value_array* array;
      value_map* map;
    };
  };

  static value bytes_of(value_kind kind, std::string_view bytes);
  /// Takes `other`'s representation (all 16 bytes, whichever is in use) and leaves it nil.
  void steal(value& other) noexcept;
  void release() noexcept;

  union {
    small_rep small_;
    word_rep word_;
  };
};

static_assert(sizeof(value) == 16);

/// A map member: `key` is always a string value.
struct value_member {
  value key;
  value val;
};

inline bool operator==(const value_member& a, const value_member& b) {
  return a.key == b.key && a.val == b.val;
}

/// A map's members, sorted by their keys' bytes (the order std::string's < gives).
class value_map {
 public:
  using iterator = std::vector<value_member>::iterator;
  using const_iterator = std::vector<value_member>::const_iterator;

  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  iterator begin() { return members_.begin(); }
  iterator end() { return members_.end(); }
  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }
  void reserve(std::size_t n) { members_.reserve(n); }

  value* find(std::string_view key);
  const value* find(std::string_view key) const;
  /// Sets member `key` to `v`, adding it when absent; returns the placed value.
  value& insert_or_assign(std::string_view key, value v);
  /// Adds `member`, whose key must be absent; returns the placed value.
  value& insert(value_member member);
  /// Removes member `key` (which must exist) and hands it over.
  value_member extract(std::string_view key);
  /// Appends a member known to sort after every present key (building a map in order).
  void push_back_sorted(value_member member) { members_.push_back(std::move(member)); }

  /// A map of `members` in any order; of a key repeated, the last one stays. O(n log n), so a
  /// large map sent in reverse order costs no more than a sorted one.
  static value_map from_unsorted(std::vector<value_member> members);

  friend bool operator==(const value_map& a, const value_map& b) {
    return a.members_ == b.members_;
  }

 private:
  iterator lower_bound(std::string_view key);
  const_iterator lower_bound(std::string_view key) const;

  std::vector<value_member> members_;
};

}  // namespace rooms
