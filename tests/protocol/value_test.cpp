// Tests of protocol/value (the document node), protocol/value_msgpack and protocol/value_json:
// inline and heap strings, deep copies and moves, map order and lookups, exact types through
// MessagePack and back, sizes, and every decoding refusal.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "protocol/msgpack_json.hpp"
#include "protocol/value.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

using rooms::value;
using rooms::value_kind;
using rooms::value_map;
using json = nlohmann::json;

namespace {

std::string bytes_of(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

value decoded(const std::string& bytes, std::size_t max_depth = 64) {
  auto v = rooms::value_from_msgpack_bytes(bytes, max_depth);
  BOOST_TEST_REQUIRE(v.ok(), (v.ok() ? "" : v.error().message));
  return std::move(*v);
}

std::string refusal(const std::string& bytes, std::size_t max_depth = 64) {
  auto v = rooms::value_from_msgpack_bytes(bytes, max_depth);
  BOOST_TEST_REQUIRE(!v.ok());
  BOOST_TEST((v.error().code == rooms::error_code::invalid_argument));
  return v.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(value_node)

BOOST_AUTO_TEST_CASE(strings_of_every_length_keep_their_bytes_inline_or_on_the_heap) {
  for (std::size_t n : {0, 1, 13, 14, 15, 16, 31, 32, 255, 256, 70000}) {
    std::string text(n, 'a');
    for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + i % 26);
    const value s = value::string(text);
    const value b = value::binary(text);
    BOOST_TEST(s.is_string());
    BOOST_TEST(b.is_binary());
    BOOST_TEST(s.as_string() == text);
    BOOST_TEST(b.as_bytes() == text);
    value copy = s;
    BOOST_TEST(copy.as_string() == text);
    value moved = std::move(copy);
    BOOST_TEST(moved.as_string() == text);
    BOOST_TEST(copy.is_nil());  // NOLINT(bugprone-use-after-move): moved-from is nil
    BOOST_TEST(rooms::packed_size(s) == rooms::to_msgpack_bytes(s).size());
    BOOST_TEST(rooms::packed_size(b) == rooms::to_msgpack_bytes(b).size());
  }
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_assignment_replaces_whatever_was_there) {
  value_map m;
  m.insert_or_assign("list", value::array({value::string(std::string(40, 'x')), value{}}));
  const value original = value::map(std::move(m));
  value copy = original;
  copy.as_map().find("list")->as_array()[1] = value::integer(-1);
  BOOST_TEST(original.as_map().find("list")->as_array()[1].is_nil());
  BOOST_TEST(copy.as_map().find("list")->as_array()[1].as_int() == -1);
  copy = value::boolean(true);
  BOOST_TEST(copy.as_bool());
  copy = original;
  BOOST_TEST((copy == original));
  value& self = copy;
  copy = self;
  BOOST_TEST((copy == original));
}

BOOST_AUTO_TEST_CASE(maps_keep_their_members_in_key_byte_order) {
  value_map m;
  for (const char* key : {"b", "a", "ab", "", "\xff", "B"}) m.insert_or_assign(key, value{});
  std::string order;
  for (const auto& member : m) order += std::string{member.key.as_string()} + ",";
  BOOST_TEST(order == ",B,a,ab,b,\xff,");
  BOOST_TEST(m.find("ab") != nullptr);
  BOOST_TEST(m.find("abc") == nullptr);
  m.insert_or_assign("a", value::integer(-7));
  BOOST_TEST(m.size() == 6u);
  BOOST_TEST(m.find("a")->as_int() == -7);
  const rooms::value_member taken = m.extract("a");
  BOOST_TEST(taken.key.as_string() == "a");
  BOOST_TEST(m.find("a") == nullptr);
  m.insert(taken);
  BOOST_TEST(m.find("a")->as_int() == -7);
}

BOOST_AUTO_TEST_CASE(equality_is_exact_about_kinds) {
  BOOST_TEST(!(value::integer(1) == value::unsigned_integer(1)));
  BOOST_TEST(!(value::unsigned_integer(1) == value::floating(1.0)));
  BOOST_TEST(!(value::string("a") == value::binary("a")));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  BOOST_TEST((value::floating(nan) == value::floating(nan)));
  BOOST_TEST((value::of_int128(5).kind() == value_kind::unsigned_integer));
  BOOST_TEST((value::of_int128(-5).kind() == value_kind::integer));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(value_msgpack)

BOOST_AUTO_TEST_CASE(every_type_survives_the_round_trip_byte_for_byte) {
  // {"b": true, "bin": bin "xy", "f": 2.0, "i": -129, "l": [nil, 65536], "u": 2^64-1}
  const std::string bytes =
      bytes_of({0x86, 0xa1, 'b',  0xc3, 0xa3, 'b',  'i',  'n',  0xc4, 2,    'x',  'y',
                0xa1, 'f',  0xcb, 0x40, 0,    0,    0,    0,    0,    0,    0,    0xa1,
                'i',  0xd1, 0xff, 0x7f, 0xa1, 'l',  0x92, 0xc0, 0xce, 0,    1,    0,
                0,    0xa1, 'u',  0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  const value v = decoded(bytes);
  BOOST_TEST(rooms::to_msgpack_bytes(v) == bytes);
  BOOST_TEST(rooms::packed_size(v) == bytes.size());
  BOOST_TEST(rooms::nesting_depth(v) == 2u);
  const auto& m = v.as_map();
  BOOST_TEST((m.find("f")->kind() == value_kind::floating));
  BOOST_TEST((m.find("i")->kind() == value_kind::integer));
  BOOST_TEST((m.find("u")->kind() == value_kind::unsigned_integer));
  BOOST_TEST((m.find("bin")->kind() == value_kind::binary));
  // The nlohmann view is the same document: it encodes to the same bytes.
  BOOST_TEST(rooms::to_msgpack_bytes(rooms::value_to_json(v)) == bytes);
  BOOST_TEST((rooms::json_to_value(rooms::value_to_json(v)) == v));
}

BOOST_AUTO_TEST_CASE(integers_take_the_smallest_encoding_and_floats_always_64_bits) {
  struct sample {
    value v;
    std::string bytes;
  };
  const sample samples[] = {
      {value::integer(0), bytes_of({0x00})},
      {value::integer(127), bytes_of({0x7f})},
      {value::integer(128), bytes_of({0xcc, 0x80})},
      {value::integer(-32), bytes_of({0xe0})},
      {value::integer(-33), bytes_of({0xd0, 0xdf})},
      {value::integer(-32769), bytes_of({0xd2, 0xff, 0xff, 0x7f, 0xff})},
      {value::unsigned_integer(65535), bytes_of({0xcd, 0xff, 0xff})},
      {value::floating(1.0), bytes_of({0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})},
  };
  for (const auto& s : samples) {
    BOOST_TEST(rooms::to_msgpack_bytes(s.v) == s.bytes);
    BOOST_TEST(rooms::packed_size(s.v) == s.bytes.size());
  }
  // A float32 arrives as the double of the same value and goes back as a float64.
  const value f = decoded(bytes_of({0xca, 0x3f, 0xc0, 0, 0}));
  BOOST_TEST(f.as_double() == 1.5);
  BOOST_TEST(rooms::to_msgpack_bytes(f) == bytes_of({0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(maps_that_arrive_unsorted_or_with_a_repeated_key_are_ordered) {
  // {"b": 1, "a": 2, "b": 3}
  const value v = decoded(bytes_of({0x83, 0xa1, 'b', 1, 0xa1, 'a', 2, 0xa1, 'b', 3}));
  BOOST_TEST(v.size() == 2u);
  BOOST_TEST(rooms::to_msgpack_bytes(v) == bytes_of({0x82, 0xa1, 'a', 2, 0xa1, 'b', 3}));
}

BOOST_AUTO_TEST_CASE(a_large_map_in_reverse_order_with_repeats_is_sorted_keeping_the_last) {
  // 100,000 keys "k99999" down to "k00000", then "k00000" again with another value: sorting them
  // must not cost an insertion each (quadratic), and the repeat wins.
  std::string bytes = bytes_of({0xdf, 0, 1, 0x86, 0xa1});
  const auto key = [](int i) { return fmt::format("k{:05}", i); };
  for (int i = 99999; i >= 0; --i) bytes += bytes_of({0xa6}) + key(i) + bytes_of({0x01});
  bytes += bytes_of({0xa6}) + key(0) + bytes_of({0x02});
  const value v = decoded(bytes);
  BOOST_TEST(v.size() == 100000u);
  BOOST_TEST(v.as_map().find(key(0))->as_uint() == 2u);
  BOOST_TEST(v.as_map().find(key(99999))->as_uint() == 1u);
  BOOST_TEST(v.as_map().begin()->key.as_string() == key(0));
}

BOOST_AUTO_TEST_CASE(large_containers_use_the_long_headers) {
  rooms::value_array elements(70000, value::unsigned_integer(1));
  const value big = value::array(std::move(elements));
  const std::string bytes = rooms::to_msgpack_bytes(big);
  BOOST_TEST(bytes.size() == 5u + 70000u);
  BOOST_TEST(rooms::packed_size(big) == bytes.size());
  BOOST_TEST((decoded(bytes) == big));
  value_map m;
  for (int i = 0; i < 20; ++i) m.insert_or_assign(std::to_string(100 + i), value{});
  const value map16 = value::map(std::move(m));
  BOOST_TEST(static_cast<unsigned char>(rooms::to_msgpack_bytes(map16)[0]) == 0xde);
  BOOST_TEST((decoded(rooms::to_msgpack_bytes(map16)) == map16));
}

BOOST_AUTO_TEST_CASE(extension_types_non_string_keys_and_deep_nesting_are_refused) {
  BOOST_TEST(refusal(bytes_of({0xd4, 1, 0})).find("extension types") != std::string::npos);
  BOOST_TEST(
      refusal(bytes_of({0x81, 1, 2})).find("map keys must be strings; found an integer key") !=
      std::string::npos);
  BOOST_TEST(refusal(bytes_of({0x91, 0x91, 0x90}), 2).find("limit of 2 levels") !=
             std::string::npos);
  BOOST_TEST(decoded(bytes_of({0x91, 0x91, 0x90}), 3).size() == 1u);
  BOOST_TEST(refusal(bytes_of({0x92, 1})).find("not MessagePack") != std::string::npos);
  BOOST_TEST(refusal(bytes_of({1, 2})).find("1 bytes after") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
