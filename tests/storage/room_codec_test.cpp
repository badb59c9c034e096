// Tests of the stored record format (actors/storage/room_codec.hpp): lossless round trips and
// corrupt bytes, which must come back as errors, never as exceptions or crashes.
#include "actors/storage/room_codec.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"
#include "tests/storage/storage_test_util.hpp"

namespace bdata = boost::unit_test::data;
using namespace std::string_literals;

namespace rooms {

using test::identical;

namespace {

void check_same(const room_image& a, const room_image& b) {
  BOOST_TEST(a.id == b.id);
  BOOST_TEST(a.owner == b.owner);
  BOOST_TEST(a.members == b.members, boost::test_tools::per_element());
  BOOST_TEST(identical(a.data, b.data), value_to_json(a.data).dump()
                                            << " vs " << value_to_json(b.data).dump());
  BOOST_TEST(a.version == b.version);
  BOOST_TEST_REQUIRE(a.keys.size() == b.keys.size());
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    BOOST_TEST(a.keys[i].user == b.keys[i].user);
    BOOST_TEST(a.keys[i].key == b.keys[i].key);
    BOOST_TEST(a.keys[i].fingerprint == b.keys[i].fingerprint);
    BOOST_TEST(a.keys[i].version == b.keys[i].version);
  }
}

// Nested single-element arrays `depth` deep, around a null.
json nested(std::size_t depth) {
  json value = nullptr;
  for (std::size_t i = 0; i < depth; ++i) value = json::array({std::move(value)});
  return value;
}

// A record map written by hand: {"fmt": 1} plus `fields` (a json object, MessagePack-encoded).
std::string record_with(json fields) {
  if (!fields.contains("fmt")) fields["fmt"] = std::uint64_t{1};
  return to_msgpack_bytes(fields);
}

json valid_image_fields() {
  return {{"id", "r"},
          {"own", "o"},
          {"mem", json::array({"o"})},
          {"data", json::object()},
          {"ver", std::uint64_t{1}},
          {"keys", json::array()}};
}

// A valid image record with `changes` applied.
std::string image_with(const json& changes) {
  json fields = valid_image_fields();
  fields.update(changes);
  return record_with(fields);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(room_codec)

BOOST_AUTO_TEST_CASE(an_image_round_trips_with_every_value_type) {
  const room_image image = test::sample_image("3f2b8c1e-5d4a-4f7b-9c2e-1a6b7d8e9f00", 42);
  auto decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  check_same(image, *decoded);
  const auto kind_of = [&](const char* key) { return decoded->data.as_map().find(key)->kind(); };
  BOOST_TEST((kind_of("uint") == value_kind::unsigned_integer));
  BOOST_TEST((kind_of("int") == value_kind::integer));
  BOOST_TEST((kind_of("float") == value_kind::floating));
  BOOST_TEST((kind_of("bin") == value_kind::binary));
}

BOOST_AUTO_TEST_CASE(an_images_meta_round_trips_and_an_image_without_reads_as_empty) {
  room_image image = test::sample_image("r", 3);
  image.meta =
      json_to_value(json{{"mode", "ranked"}, {"seats", 4}, {"ratio", 0.5}, {"open", true}});
  auto decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  BOOST_TEST(value_to_json(decoded->meta) == value_to_json(image.meta));
  image.meta = value::map();  // as stored before rooms had meta: no "meta" field
  decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->meta.as_map().empty());
}

BOOST_AUTO_TEST_CASE(an_empty_image_round_trips) {
  room_image image;
  image.id = "r";
  auto decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok());
  check_same(image, *decoded);
}

const json scalar_documents[] = {json(nullptr),          json(true),    json(std::uint64_t{0}),
                                 json(std::int64_t{-1}), json(0.5),     json("s"),
                                 json::binary({}),       json::array(), json::object()};

BOOST_DATA_TEST_CASE(data_of_any_type_keeps_its_type, bdata::make(scalar_documents), data) {
  room_image image;
  image.id = "r";
  image.data = json_to_value(data);
  auto decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(identical(decoded->data, image.data), data.dump());
}

BOOST_AUTO_TEST_CASE(a_key_stored_before_keys_had_users_reads_with_no_user) {
  auto decoded =
      decode_room_image(image_with(json({{"keys", {{{"key", "k"}, {"fp", 1}, {"ver", 1}}}}})));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  BOOST_TEST_REQUIRE(decoded->keys.size() == 1u);
  BOOST_TEST(decoded->keys[0].user == "");
  BOOST_TEST(decoded->keys[0].key == "k");
}

BOOST_DATA_TEST_CASE(events_round_trip_with_and_without_a_key, bdata::make({false, true}), keyed) {
  event_record record = test::sample_event(1234567, keyed);
  record.event.as_map().insert_or_assign("value", json_to_value(test::every_type_document()));
  auto decoded = decode_event_record(encode_event_record(record));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  BOOST_TEST(identical(decoded->event, record.event));
  BOOST_TEST((decoded->key == record.key));
  BOOST_TEST(decoded->fingerprint == record.fingerprint);
  BOOST_TEST(decoded->version() == 1234567u);
}

BOOST_AUTO_TEST_CASE(an_edits_patch_round_trips_with_its_event) {
  event_record record = test::sample_event(7, false);
  const json patch =
      json::array({{{"op", "add"}, {"path", "/a"}, {"value", test::every_type_document()}},
                   {{"op", "remove"}, {"path", "/b/0"}}});
  record.patch = to_msgpack_bytes(patch);
  auto decoded = decode_event_record(encode_event_record(record));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  BOOST_TEST(decoded->patch == record.patch);  // byte for byte: types kept
  BOOST_TEST(identical(decoded->event, record.event));
  // A record without a patch (any other event, or an edit stored before patches) has none.
  record.patch.clear();
  decoded = decode_event_record(encode_event_record(record));
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->patch.empty());
}

BOOST_AUTO_TEST_CASE(documents_as_deep_as_max_stored_depth_round_trip) {
  room_image image;
  image.id = "r";
  image.data = json_to_value(nested(max_stored_depth));
  auto decoded = decode_room_image(encode_room_image(image));
  BOOST_TEST_REQUIRE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  BOOST_TEST(identical(decoded->data, image.data));
  image.data = json_to_value(nested(max_stored_depth + 1));
  BOOST_TEST(!decode_room_image(encode_room_image(image)).ok());
}

struct corrupt_case {
  const char* name;
  std::string bytes;
  const char* says;  // a part of the error message
};

std::ostream& operator<<(std::ostream& out, const corrupt_case& c) { return out << c.name; }

std::vector<corrupt_case> corrupt_images() {
  std::vector<corrupt_case> cases = {
      {"empty", "", "not MessagePack"},
      {"never-used byte", "\xc1", "not MessagePack"},
      {"not a map", to_msgpack_bytes(json::array({1, 2})), "not a map"},
      {"trailing bytes", encode_room_image(room_image{}) + "x", "after the record"},
      {"array32 of 4 billion", std::string("\xdd\xff\xff\xff\xff", 5), "not MessagePack"},
      {"str32 of 4 GB", std::string("\xdb\xff\xff\xff\xff", 5), "not MessagePack"},
      {"100000 nested arrays", std::string(100000, '\x91') + "\xc0", "not MessagePack"},
      {"no format", to_msgpack_bytes(valid_image_fields()), "\"fmt\""},
      {"a newer format", image_with(json({{"fmt", 2}})), "format 2 is not readable"},
      {"version is a string", image_with(json({{"ver", "1"}})), "\"ver\""},
      {"version is negative", image_with(json({{"ver", -1}})), "\"ver\""},
      {"no data", record_with([] {
         json f = valid_image_fields();
         f.erase("data");
         return f;
       }()),
       "\"data\""},
      {"a member is a number", image_with(json({{"mem", {1}}})), "member"},
      {"a key lacks fp", image_with(json({{"keys", {{{"key", "k"}, {"ver", 1}}}}})),
       "idempotency key"},
      {"a map key is not a string", "\x81\x01\x02", "map keys must be strings"},
  };
  return cases;
}

BOOST_DATA_TEST_CASE(corrupt_images_are_errors, bdata::make(corrupt_images()), c) {
  auto decoded = decode_room_image(c.bytes);
  BOOST_TEST_REQUIRE(!decoded.ok());
  BOOST_TEST((decoded.error().code == error_code::internal));
  BOOST_TEST(decoded.error().message.find("corrupt room image") != std::string::npos);
  BOOST_TEST(decoded.error().message.find(c.says) != std::string::npos, decoded.error().message);
}

std::vector<corrupt_case> corrupt_events() {
  return {
      {"no event", record_with({{"fp", 0}}), "\"ev\""},
      {"event is an array", record_with({{"ev", json::array()}, {"fp", 0}}), "\"ev\""},
      {"event without version", record_with({{"ev", json::object()}, {"fp", 0}}), "\"version\""},
      {"version is a float", record_with({{"ev", {{"version", 1.0}}}, {"fp", 0}}), "\"version\""},
      {"no fingerprint", record_with({{"ev", {{"version", 1}}}}), "\"fp\""},
      {"key is a number", record_with({{"ev", {{"version", 1}}}, {"fp", 0}, {"key", 5}}),
       "\"key\""},
      {"ext in the event",
       "\x83\xa3"
       "fmt"
       "\x01\xa2"
       "ev"
       "\xd4\x01\x00"
       "\xa2"
       "fp"
       "\x00"s,
       "ext"},
  };
}

BOOST_DATA_TEST_CASE(corrupt_events_are_errors, bdata::make(corrupt_events()), c) {
  auto decoded = decode_event_record(c.bytes);
  BOOST_TEST_REQUIRE(!decoded.ok());
  BOOST_TEST(decoded.error().message.find("corrupt event record") != std::string::npos);
  BOOST_TEST(decoded.error().message.find(c.says) != std::string::npos, decoded.error().message);
}

// Every truncation and every single-byte change of valid records either decodes or is an
// error; none throws or crashes (the sanitizer build checks reads stay in bounds).
BOOST_AUTO_TEST_CASE(every_truncation_and_byte_flip_is_handled) {
  const std::string image = encode_room_image(test::sample_image("r"));
  const std::string event = encode_event_record(test::sample_event(9, true));
  for (const std::string& bytes : {image, event}) {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      BOOST_TEST(!decode_room_image(bytes.substr(0, n)).ok());
      BOOST_TEST(!decode_event_record(bytes.substr(0, n)).ok());
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int flip : {0x01, 0x80, 0xff}) {
        std::string changed = bytes;
        changed[i] = static_cast<char>(changed[i] ^ flip);
        (void)decode_room_image(changed);
        (void)decode_event_record(changed);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
