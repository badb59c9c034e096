// Tests of protocol/msgpack_json: lossless MessagePack <-> json for every type, the rejected
// inputs (non-string keys, ext), the depth limit, and packed_size against real encodings.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"

namespace bdata = boost::unit_test::data;
using rooms::json;

namespace {

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::string to_hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : bytes) {
    hex.push_back(digits[c >> 4]);
    hex.push_back(digits[c & 15]);
  }
  return hex;
}

rooms::result<json> decode(const std::string& bytes, std::size_t max_depth = 64) {
  msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  return rooms::to_json(handle.get(), max_depth);
}

struct round_trip_case {
  std::string name;
  std::string in_hex;   // what a client may send
  std::string out_hex;  // what we write back (smallest integer form, floats as float64)
  json::value_t type;
};

std::ostream& operator<<(std::ostream& out, const round_trip_case& c) { return out << c.name; }

const std::string str40(40, 'x');

const std::vector<round_trip_case> round_trip_cases = {
    {"nil", "c0", "c0", json::value_t::null},
    {"true", "c3", "c3", json::value_t::boolean},
    {"false", "c2", "c2", json::value_t::boolean},
    {"positive fixint", "05", "05", json::value_t::number_unsigned},
    {"uint8", "ccc8", "ccc8", json::value_t::number_unsigned},
    {"uint16 holding a small value", "cd0005", "05", json::value_t::number_unsigned},
    {"uint32", "ce00010000", "ce00010000", json::value_t::number_unsigned},
    {"uint64 max", "cfffffffffffffffff", "cfffffffffffffffff", json::value_t::number_unsigned},
    {"int8 holding a positive value", "d005", "05", json::value_t::number_unsigned},
    {"negative fixint", "ff", "ff", json::value_t::number_integer},
    {"int8", "d09c", "d09c", json::value_t::number_integer},
    {"int16", "d1ff00", "d1ff00", json::value_t::number_integer},
    {"int32", "d2ffff0000", "d2ffff0000", json::value_t::number_integer},
    {"int64 min", "d38000000000000000", "d38000000000000000", json::value_t::number_integer},
    {"float32 becomes float64", "ca3fc00000", "cb3ff8000000000000", json::value_t::number_float},
    {"float64 2.0 stays a float", "cb4000000000000000", "cb4000000000000000",
     json::value_t::number_float},
    {"float64 -0.0", "cb8000000000000000", "cb8000000000000000", json::value_t::number_float},
    {"float64 0.1", "cb3fb999999999999a", "cb3fb999999999999a", json::value_t::number_float},
    {"fixstr", "a26869", "a26869", json::value_t::string},
    {"empty str", "a0", "a0", json::value_t::string},
    {"str8", "d928" + to_hex(str40), "d928" + to_hex(str40), json::value_t::string},
    {"str16 holding a short string", "da00026869", "a26869", json::value_t::string},
    {"bin8", "c403010203", "c403010203", json::value_t::binary},
    {"empty bin", "c400", "c400", json::value_t::binary},
    {"empty array", "90", "90", json::value_t::array},
    {"empty map", "80", "80", json::value_t::object},
    {"array16 holding two", "dc0002c0c3", "92c0c3", json::value_t::array},
    {"nested map", "82a16191c0a16281a163c3", "82a16191c0a16281a163c3", json::value_t::object},
    {"map keys come back sorted", "82a162c2a161c3", "82a161c3a162c2", json::value_t::object},
};

BOOST_AUTO_TEST_SUITE(msgpack_json)

BOOST_DATA_TEST_CASE(round_trip_keeps_types, bdata::make(round_trip_cases), c) {
  const auto decoded = decode(from_hex(c.in_hex));
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(static_cast<int>(decoded->type()) == static_cast<int>(c.type));
  const std::string encoded = rooms::to_msgpack_bytes(*decoded);
  BOOST_TEST(to_hex(encoded) == c.out_hex);
  BOOST_TEST(rooms::packed_size(*decoded) == encoded.size());
}

BOOST_AUTO_TEST_CASE(binary_ignores_nlohmann_subtype) {
  json value = json::binary({1, 2, 3}, 42);
  BOOST_TEST(to_hex(rooms::to_msgpack_bytes(value)) == "c403010203");
}

BOOST_AUTO_TEST_CASE(signed_non_negative_integers_use_unsigned_forms) {
  BOOST_TEST(to_hex(rooms::to_msgpack_bytes(json(std::int64_t{200}))) == "ccc8");
  BOOST_TEST(to_hex(rooms::to_msgpack_bytes(json(std::int64_t{5}))) == "05");
  BOOST_TEST(rooms::packed_size(json(std::int64_t{200})) == 2u);
}

BOOST_AUTO_TEST_CASE(append_appends) {
  std::string out = "x";
  rooms::append_msgpack(out, json(true));
  BOOST_TEST(to_hex(out) == "78c3");
}

struct rejected_case {
  std::string name;
  std::string hex;
};

std::ostream& operator<<(std::ostream& out, const rejected_case& c) { return out << c.name; }

const std::vector<rejected_case> rejected_cases = {
    {"integer map key", "810102"},
    {"nil map key", "81c001"},
    {"bin map key", "81c4016101"},
    {"array map key", "819001"},
    {"fixext1", "d40100"},
    {"ext8", "c7010500"},
    {"ext nested in an array", "9201d40100"},
    {"integer key nested in a map", "81a16181 0102"},
};

BOOST_DATA_TEST_CASE(rejects_non_string_keys_and_ext, bdata::make(rejected_cases), c) {
  std::string hex = c.hex;
  hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
  const auto decoded = decode(from_hex(hex));
  BOOST_REQUIRE(!decoded.ok());
  BOOST_TEST(rooms::to_string(decoded.error().code) == "invalid_argument");
  BOOST_TEST(!decoded.error().message.empty());
}

std::string nested_arrays(std::size_t depth) {
  std::string bytes(depth, static_cast<char>(0x91));
  bytes.push_back(static_cast<char>(0xc0));
  return bytes;
}

BOOST_AUTO_TEST_CASE(depth_limit) {
  BOOST_TEST(decode(nested_arrays(3), 3).ok());
  BOOST_TEST(!decode(nested_arrays(4), 3).ok());
  BOOST_TEST(decode(from_hex("c0"), 0).ok());
  BOOST_TEST(!decode(from_hex("90"), 0).ok());
  BOOST_TEST(decode(from_hex("81a16180"), 2).ok());
  BOOST_TEST(!decode(from_hex("81a16180"), 1).ok());
  const auto deep = decode(nested_arrays(64), 64);
  BOOST_REQUIRE(deep.ok());
  BOOST_TEST(rooms::nesting_depth(*deep) == 64u);
}

BOOST_AUTO_TEST_CASE(depth_limit_stops_very_deep_input) {
  // Far deeper than the limit: rejected without recursing through it.
  const std::string bytes = nested_arrays(20000);
  msgpack::unpack_limit limits(1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 30000);
  msgpack::object_handle handle =
      msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, limits);
  const auto decoded = rooms::to_json(handle.get(), 64);
  BOOST_REQUIRE(!decoded.ok());
  BOOST_TEST(decoded.error().message.find("64") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nesting_depth_counts_containers) {
  BOOST_TEST(rooms::nesting_depth(json(1)) == 0u);
  BOOST_TEST(rooms::nesting_depth(json::array()) == 1u);
  BOOST_TEST(rooms::nesting_depth(json::object()) == 1u);
  BOOST_TEST(rooms::nesting_depth(json::parse(R"([[1], 2])")) == 2u);
  BOOST_TEST(rooms::nesting_depth(json::parse(R"({"a": {"b": []}, "c": 1})")) == 3u);
  BOOST_TEST(rooms::nesting_depth(json::parse(R"([1, {"a": [[{}]]}, []])")) == 5u);
}

BOOST_AUTO_TEST_CASE(header_sizes) {
  BOOST_TEST(rooms::packed_str_header_size(31) == 1u);
  BOOST_TEST(rooms::packed_str_header_size(32) == 2u);
  BOOST_TEST(rooms::packed_str_header_size(255) == 2u);
  BOOST_TEST(rooms::packed_str_header_size(256) == 3u);
  BOOST_TEST(rooms::packed_str_header_size(65535) == 3u);
  BOOST_TEST(rooms::packed_str_header_size(65536) == 5u);
  BOOST_TEST(rooms::packed_container_header_size(15) == 1u);
  BOOST_TEST(rooms::packed_container_header_size(16) == 3u);
  BOOST_TEST(rooms::packed_container_header_size(65535) == 3u);
  BOOST_TEST(rooms::packed_container_header_size(65536) == 5u);
}

// Random documents that cross every size boundary of the format.
class document_generator {
 public:
  explicit document_generator(std::uint64_t seed) : rng_(seed) {}

  json value(int depth) {
    const int kind = pick(depth > 0 ? 10 : 7);
    switch (kind) {
      case 0:
        return nullptr;
      case 1:
        return pick(2) == 0;
      case 2:
        return integer();
      case 3:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      case 4:
        return static_cast<double>(pick(1000));  // integral floats stay floats
      case 5:
        return std::string(length(), 'a' + static_cast<char>(pick(26)));
      case 6:
        return json::binary(std::vector<std::uint8_t>(length(), 7));
      case 7:
      case 8:
        return map(depth - 1);
      default:
        return array(depth - 1);
    }
  }

  json map(int depth) {
    json out = json::object();
    const std::size_t count = count_of();
    for (std::size_t i = 0; i < count; ++i)
      out[std::string(length(), 'k') + std::to_string(i)] = value(depth);
    return out;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  json integer() {
    static const std::vector<std::uint64_t> unsigned_edges = {
        0,     127,   128,         255,         256,
        65535, 65536, 4294967295u, 4294967296u, std::numeric_limits<std::uint64_t>::max()};
    static const std::vector<std::int64_t> signed_edges = {
        -1,     -32,    -33,           -128,          -129,
        -32768, -32769, -2147483648LL, -2147483649LL, std::numeric_limits<std::int64_t>::min(),
        0,      127,    128,           65536,         4294967296LL};
    switch (pick(3)) {
      case 0:
        return unsigned_edges[pick(static_cast<int>(unsigned_edges.size()))];
      case 1:
        return signed_edges[pick(static_cast<int>(signed_edges.size()))];
      default:
        return std::uniform_int_distribution<std::int64_t>()(rng_);
    }
  }

  std::size_t length() {
    static const std::vector<std::size_t> edges = {0, 1, 31, 32, 255, 256, 65535, 65536};
    if (pick(20) == 0) return edges[pick(static_cast<int>(edges.size()))];
    return static_cast<std::size_t>(pick(40));
  }

  std::size_t count_of() {
    if (pick(10) == 0) return pick(2) == 0 ? 15 : 16;
    return static_cast<std::size_t>(pick(6));
  }

  json array(int depth) {
    json out = json::array();
    const std::size_t count = pick(200) == 0 ? 65536 : count_of();
    for (std::size_t i = 0; i < count; ++i) out.push_back(count > 100 ? json(1) : value(depth));
    return out;
  }

  std::mt19937_64 rng_;
};

BOOST_AUTO_TEST_CASE(packed_size_equals_encoding_on_generated_documents) {
  document_generator generate(20240607);
  for (int i = 0; i < 400; ++i) {
    const json doc = generate.map(3);
    const std::string bytes = rooms::to_msgpack_bytes(doc);
    BOOST_REQUIRE_EQUAL(rooms::packed_size(doc), bytes.size());
    const auto decoded = decode(bytes);
    BOOST_REQUIRE(decoded.ok());
    BOOST_REQUIRE(*decoded == doc);
    BOOST_REQUIRE(rooms::to_msgpack_bytes(*decoded) == bytes);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
