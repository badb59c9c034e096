// Tests of rpc_decoder: every decode outcome, partial and pipelined input, and the malformed
// and oversized inputs of docs/protocol.md.
#include "protocol/rpc_decoder.hpp"
#include "protocol/value_json.hpp"
#include "tests/support/raw_bytes.hpp"

#include <malloc.h>

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

namespace rooms {
namespace {

using test::raw_bytes;

class builder {
 public:
  builder() : packer_(buffer_) {}
  msgpack::packer<msgpack::sbuffer>& pack() { return packer_; }
  builder& str(std::string_view text) {
    packer_.pack_str(static_cast<std::uint32_t>(text.size()));
    packer_.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
    return *this;
  }
  builder& bin(std::string_view bytes) {
    packer_.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    packer_.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
    return *this;
  }
  builder& append(std::string_view bytes) {
    buffer_.write(bytes.data(), bytes.size());
    return *this;
  }
  std::string bytes() const { return std::string{buffer_.data(), buffer_.size()}; }

 private:
  msgpack::sbuffer buffer_;
  msgpack::packer<msgpack::sbuffer> packer_;
};

// [0, msgid, method, [{"room": room}]]
std::string request_bytes(std::uint32_t msgid, std::string_view method = "get",
                          std::string_view room = "r1") {
  builder b;
  b.pack().pack_array(4).pack_uint8(0).pack_uint32(msgid);
  b.str(method).pack().pack_array(1).pack_map(1);
  b.str("room").str(room);
  return b.bytes();
}

std::vector<decode_result> decode_all(rpc_decoder& decoder, std::string_view bytes) {
  decoder.feed(bytes);
  std::vector<decode_result> out;
  for (;;) {
    out.push_back(decoder.next());
    if (std::holds_alternative<need_more>(out.back())) return out;
    if (std::holds_alternative<fatal_error>(out.back())) return out;
  }
}

decode_result decode_one(std::string_view bytes, const limits& node_limits = limits{}) {
  rpc_decoder decoder{node_limits};
  decoder.feed(bytes);
  return decoder.next();
}

decoded_request as_request(const decode_result& result) {
  BOOST_REQUIRE(std::holds_alternative<decoded_request>(result));
  return std::get<decoded_request>(result);
}

// The wire name of a fatal error's code.
std::string_view fatal_code(const decode_result& result) {
  BOOST_REQUIRE(std::holds_alternative<fatal_error>(result));
  return to_string(std::get<fatal_error>(result).error.code);
}

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rpc_decoder_tests)

BOOST_AUTO_TEST_CASE(decodes_a_request) {
  const auto request = as_request(decode_one(request_bytes(7, "join", "abc")));
  BOOST_TEST(request.msgid == 7u);
  BOOST_TEST(!request.is_notification);
  BOOST_TEST(request.method == "join");
  BOOST_TEST(value_to_json(request.params) == (json{{"room", "abc"}}));
}

BOOST_AUTO_TEST_CASE(accepts_the_largest_msgid) {
  BOOST_TEST(as_request(decode_one(request_bytes(4294967295u))).msgid == 4294967295u);
}

BOOST_AUTO_TEST_CASE(accepts_a_method_name_as_bin) {
  builder b;
  b.pack().pack_array(4).pack_uint8(0).pack_uint8(1);
  b.bin("ping").pack().pack_array(0);
  BOOST_TEST(as_request(decode_one(b.bytes())).method == "ping");
}

BOOST_AUTO_TEST_CASE(empty_params_array_means_empty_map) {
  builder b;
  b.pack().pack_array(4).pack_uint8(0).pack_uint8(1);
  b.str("stats").pack().pack_array(0);
  BOOST_TEST(value_to_json(as_request(decode_one(b.bytes())).params) == json::object());
}

BOOST_AUTO_TEST_CASE(params_keep_their_msgpack_types) {
  builder b;
  b.pack().pack_array(4).pack_uint8(0).pack_uint8(1);
  b.str("create").pack().pack_array(1).pack_map(4);
  b.str("bin").bin(raw_bytes({0, 255}));
  b.str("neg").pack().pack_int64(-5);
  b.str("big").pack().pack_uint64(UINT64_MAX);
  // 2.0 as a float64: msgpack-c's pack_double would write an integral double as an integer.
  b.str("float").append(raw_bytes({0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0}));
  const json params = value_to_json(as_request(decode_one(b.bytes())).params);
  BOOST_TEST(params["bin"].is_binary());
  BOOST_TEST(params["bin"].get_binary().size() == 2u);
  BOOST_TEST(params["neg"].get<std::int64_t>() == -5);
  BOOST_TEST(params["big"].get<std::uint64_t>() == UINT64_MAX);
  BOOST_TEST(params["float"].is_number_float());
  BOOST_TEST(params["float"].get<double>() == 2.0);
}

BOOST_AUTO_TEST_CASE(decodes_a_notification) {
  builder b;
  b.pack().pack_array(3).pack_uint8(2);
  b.str("client_info").pack().pack_array(1).pack_map(1);
  b.str("name").str("msgpack-rpc");
  const auto request = as_request(decode_one(b.bytes()));
  BOOST_TEST(request.is_notification);
  BOOST_TEST(request.msgid == 0u);
  BOOST_TEST(request.method == "client_info");
  BOOST_TEST(value_to_json(request.params) == (json{{"name", "msgpack-rpc"}}));
}

BOOST_AUTO_TEST_CASE(ignores_a_response_from_the_backend) {
  builder b;
  b.pack().pack_array(4).pack_uint8(1).pack_uint8(3).pack_nil().pack_map(0);
  BOOST_TEST(std::holds_alternative<ignored_message>(decode_one(b.bytes())));
}

BOOST_AUTO_TEST_CASE(waits_for_the_rest_of_a_message) {
  BOOST_TEST(std::holds_alternative<need_more>(decode_one("")));
  BOOST_TEST(std::holds_alternative<need_more>(decode_one(raw_bytes({0x94, 0x00}))));
}

BOOST_AUTO_TEST_CASE(decodes_a_message_fed_one_byte_at_a_time) {
  rpc_decoder decoder{limits{}};
  const std::string bytes = request_bytes(42, "join", std::string(300, 'x'));
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    decoder.feed(bytes.substr(i, 1));
    BOOST_REQUIRE(std::holds_alternative<need_more>(decoder.next()));
  }
  decoder.feed(bytes.substr(bytes.size() - 1));
  BOOST_TEST(as_request(decoder.next()).msgid == 42u);
  BOOST_TEST(std::holds_alternative<need_more>(decoder.next()));
}

BOOST_AUTO_TEST_CASE(a_moved_decoder_keeps_its_partial_message) {
  const std::string bytes = request_bytes(5);
  rpc_decoder first{limits{}};
  first.feed(std::string_view{bytes}.substr(0, 4));
  rpc_decoder moved{std::move(first)};
  moved.feed(std::string_view{bytes}.substr(4));
  BOOST_TEST(as_request(moved.next()).msgid == 5u);
}

BOOST_AUTO_TEST_CASE(decodes_pipelined_messages_in_order) {
  std::string bytes;
  for (std::uint32_t id = 0; id < 500; ++id) bytes += request_bytes(id);
  rpc_decoder decoder{limits{}};
  // Split at an odd size so that messages straddle the feeds.
  std::vector<std::uint32_t> ids;
  for (std::size_t pos = 0; pos < bytes.size(); pos += 997) {
    for (const auto& result : decode_all(decoder, std::string_view{bytes}.substr(pos, 997)))
      if (std::holds_alternative<decoded_request>(result))
        ids.push_back(std::get<decoded_request>(result).msgid);
  }
  BOOST_REQUIRE(ids.size() == 500u);
  for (std::uint32_t id = 0; id < 500; ++id) BOOST_TEST(ids[id] == id);
}

// Every MessagePack type, with each length encoding, inside a response that the decoder skips:
// the header scanner and msgpack-c must agree on where the message ends.
BOOST_AUTO_TEST_CASE(scanner_agrees_with_msgpack_on_every_type) {
  const std::string values = raw_bytes({
      0xc0, 0xc2, 0xc3, 0x7f, 0xe0, 0xcc, 1,    0xcd, 0,    1,    0xce, 0,    0,    0,    1,
      0xcf, 0,    0,    0,    0,    0,    0,    0,    1,    0xd0, 0xff, 0xd1, 0,    1,    0xd2,
      0,    0,    0,    1,    0xd3, 0,    0,    0,    0,    0,    0,    0,    1,    0xca, 0,
      0,    0,    0,    0xcb, 0,    0,    0,    0,    0,    0,    0,    0,    0xa1, 'a',  0xd9,
      1,    'b',  0xda, 0,    1,    'c',  0xdb, 0,    0,    0,    1,    'd',  0xc4, 1,    9,
      0xc5, 0,    1,    9,    0xc6, 0,    0,    0,    1,    9,    0xc7, 1,    5,    9,    0xc8,
      0,    1,    5,    9,    0xc9, 0,    0,    0,    1,    5,    9,    0xd4, 5,    9,    0xd5,
      5,    9,    9,    0xd6, 5,    9,    9,    9,    9,    0xd7, 5,    0,    0,    0,    0,
      0,    0,    0,    0,    0xd8, 5,    0,    0,    0,    0,    0,    0,    0,    0,    0,
      0,    0,    0,    0,    0,    0,    0,    0x90, 0x80, 0xa0, 0x91, 0x90, 0x81, 0xa1, 'k',
      0x80, 0xdc, 0,    1,    0xc0, 0xdd, 0,    0,    0,    1,    0xc0, 0xde, 0,    1,    0xa1,
      'k',  0xc0, 0xdf, 0,    0,    0,    1,    0xa1, 'k',  0xc0,
  });
  const std::size_t count = 39;
  builder b;
  b.pack().pack_array(4).pack_uint8(1).pack_uint8(0).pack_nil();
  b.append(raw_bytes({0xdc, 0, static_cast<int>(count)})).append(values);
  const std::string bytes = b.bytes() + request_bytes(9);
  rpc_decoder decoder{limits{}};
  std::vector<decode_result> results;
  for (char byte : bytes) {
    for (auto& result : decode_all(decoder, std::string_view{&byte, 1}))
      if (!std::holds_alternative<need_more>(result)) results.push_back(std::move(result));
  }
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(std::holds_alternative<ignored_message>(results[0]));
  BOOST_TEST(as_request(results[1]).msgid == 9u);
}

struct malformed_case {
  const char* name;
  std::string bytes;
  /// The msgid of the error response, or -1 for an error notification.
  std::int64_t msgid;
};

std::ostream& operator<<(std::ostream& out, const malformed_case& sample) {
  return out << sample.name;
}

const std::vector<malformed_case> malformed_cases = {
    {"not an array", raw_bytes({0xa3, 'a', 'b', 'c'}), -1},
    {"an empty array", raw_bytes({0x90}), -1},
    {"a map", raw_bytes({0x81, 0xa1, 't', 0x00}), -1},
    {"type is a string", raw_bytes({0x94, 0xa1, '0', 0x01, 0xa1, 'm', 0x90}), -1},
    {"unknown type 3", raw_bytes({0x94, 0x03, 0x01, 0xa1, 'm', 0x90}), -1},
    {"negative type", raw_bytes({0x94, 0xff, 0x01, 0xa1, 'm', 0x90}), -1},
    {"request without msgid", raw_bytes({0x91, 0x00}), -1},
    {"negative msgid", raw_bytes({0x94, 0x00, 0xff, 0xa1, 'm', 0x90}), -1},
    {"msgid past uint32", raw_bytes({0x94, 0x00, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0xa1, 'm', 0x90}),
     -1},
    {"msgid is a string", raw_bytes({0x94, 0x00, 0xa1, '1', 0xa1, 'm', 0x90}), -1},
    {"msgid is a float", raw_bytes({0x94, 0x00, 0xca, 0x3f, 0x80, 0, 0, 0xa1, 'm', 0x90}), -1},
    {"request of two items", raw_bytes({0x92, 0x00, 0x05}), 5},
    {"request without params", raw_bytes({0x93, 0x00, 0x05, 0xa1, 'm'}), 5},
    {"request of five items", raw_bytes({0x95, 0x00, 0x05, 0xa1, 'm', 0x90, 0xc0}), 5},
    {"method is an integer", raw_bytes({0x94, 0x00, 0x05, 0x07, 0x90}), 5},
    {"method is nil", raw_bytes({0x94, 0x00, 0x05, 0xc0, 0x90}), 5},
    {"params is a map", raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0x80}), 5},
    {"params is nil", raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0xc0}), 5},
    {"params holds an integer", raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0x91, 0x01}), 5},
    {"params holds two maps", raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0x92, 0x80, 0x80}), 5},
    {"params key is an integer", raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0x91, 0x81, 0x01, 0x02}),
     5},
    {"params value is an ext",
     raw_bytes({0x94, 0x00, 0x05, 0xa1, 'm', 0x91, 0x81, 0xa1, 'k', 0xd4, 0x01, 0x00}), 5},
    {"notification of two items", raw_bytes({0x92, 0x02, 0xa1, 'm'}), -1},
    {"notification method is an integer", raw_bytes({0x93, 0x02, 0x07, 0x90}), -1},
    {"notification params is nil", raw_bytes({0x93, 0x02, 0xa3, 'g', 'e', 't', 0xc0}), -1},
    {"notification params key is an integer",
     raw_bytes({0x93, 0x02, 0xa3, 'g', 'e', 't', 0x91, 0x81, 0x01, 0x02}), -1},
};

BOOST_AUTO_TEST_CASE(an_unknown_notification_in_any_shape_is_ignored) {
  // pynvim's first message: [2, b"nvim_set_client_info", [name, version, type, methods, attrs]]
  rpc_decoder decoder{limits{}};
  const auto results = decode_all(
      decoder, raw_bytes({0x93, 0x02, 0xc4, 0x04, 'i', 'n', 'f', 'o', 0x92, 0xa1, 'x', 0x80}) +
                   request_bytes(77));
  BOOST_REQUIRE(results.size() == 3u);
  BOOST_TEST(std::holds_alternative<ignored_message>(results[0]));
  BOOST_TEST(std::holds_alternative<decoded_request>(results[1]));
}

BOOST_DATA_TEST_CASE(malformed_values_are_answered_and_the_stream_goes_on,
                     boost::unit_test::data::make(malformed_cases), sample) {
  rpc_decoder decoder{limits{}};
  const auto results = decode_all(decoder, sample.bytes + request_bytes(77));
  BOOST_REQUIRE(results.size() == 3u);
  if (sample.msgid < 0) {
    BOOST_REQUIRE(std::holds_alternative<stream_error>(results[0]));
    BOOST_TEST(to_string(std::get<stream_error>(results[0]).error.code) == "invalid_argument");
  } else {
    BOOST_REQUIRE(std::holds_alternative<request_error>(results[0]));
    const auto& error = std::get<request_error>(results[0]);
    BOOST_TEST(error.msgid == static_cast<std::uint32_t>(sample.msgid));
    BOOST_TEST(to_string(error.error.code) == "invalid_argument");
  }
  BOOST_TEST(as_request(results[1]).msgid == 77u);
  BOOST_TEST(std::holds_alternative<need_more>(results[2]));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_msgpack_are_fatal) {
  BOOST_TEST(fatal_code(decode_one(raw_bytes({0xc1}))) == "invalid_argument");
  // Inside a message too, after a part that already looked fine.
  BOOST_TEST(fatal_code(decode_one(raw_bytes({0x94, 0x00, 0x01, 0xc1}))) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(messages_before_garbage_are_decoded_then_the_error_sticks) {
  rpc_decoder decoder{limits{}};
  const auto results = decode_all(decoder, request_bytes(1) + raw_bytes({0xc1}) + request_bytes(2));
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(as_request(results[0]).msgid == 1u);
  BOOST_TEST(fatal_code(results[1]) == "invalid_argument");
  decoder.feed(request_bytes(3));
  BOOST_TEST(fatal_code(decoder.next()) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(a_message_of_exactly_the_limit_is_accepted) {
  limits small;
  small.max_message_bytes = 200;
  const std::string frame = request_bytes(1, "get", "");
  // The room becomes a str8: one more header byte than the empty fixstr in `frame`.
  const std::size_t room_bytes = 200 - frame.size() - 1;
  const std::string exact = request_bytes(1, "get", std::string(room_bytes, 'r'));
  BOOST_REQUIRE(exact.size() == 200u);
  BOOST_TEST(as_request(decode_one(exact, small)).msgid == 1u);
  const std::string over = request_bytes(1, "get", std::string(room_bytes + 1, 'r'));
  BOOST_TEST(fatal_code(decode_one(over, small)) == "too_large");
}

BOOST_AUTO_TEST_CASE(an_oversized_message_is_refused_while_still_incomplete) {
  limits small;
  small.max_message_bytes = 1024;
  // Twenty strings of 100 bytes: no single header announces the excess.
  builder b;
  b.pack().pack_array(4).pack_uint8(0).pack_uint8(1);
  b.str("edit").pack().pack_array(1).pack_map(1);
  b.str("ops").pack().pack_array(20);
  for (int i = 0; i < 20; ++i) b.str(std::string(100, 'o'));
  const std::string bytes = b.bytes();
  rpc_decoder decoder{small};
  std::size_t fed = 0;
  decode_result result = need_more{};
  while (std::holds_alternative<need_more>(result) && fed < bytes.size()) {
    decoder.feed(std::string_view{bytes}.substr(fed, 100));
    fed += 100;
    result = decoder.next();
  }
  BOOST_TEST(fatal_code(result) == "too_large");
  BOOST_TEST(fed > 900u);
  BOOST_TEST(fed <= 1100u);
}

struct huge_header_case {
  const char* name;
  std::string header;
};

std::ostream& operator<<(std::ostream& out, const huge_header_case& sample) {
  return out << sample.name;
}

const std::vector<huge_header_case> huge_header_cases = {
    {"str32", raw_bytes({0xdb, 0xff, 0xff, 0xff, 0xff})},
    {"bin32", raw_bytes({0xc6, 0xff, 0xff, 0xff, 0xff})},
    {"ext32", raw_bytes({0xc9, 0xff, 0xff, 0xff, 0xff})},
    {"array32", raw_bytes({0xdd, 0xff, 0xff, 0xff, 0xff})},
    {"map32", raw_bytes({0xdf, 0xff, 0xff, 0xff, 0xff})},
    // Each allowed alone by a per-container count limit, but not together in 1 MiB.
    {"nested array32 of 600k",
     raw_bytes({0xdd, 0x00, 0x09, 0x27, 0xc0, 0xdd, 0x00, 0x09, 0x27, 0xc0})},
};

BOOST_DATA_TEST_CASE(a_header_announcing_gigabytes_is_refused_before_allocating,
                     boost::unit_test::data::make(huge_header_cases), sample) {
  for (const bool framed : {false, true}) {
    const std::string prefix =
        framed ? raw_bytes({0x94, 0x00, 0x01, 0xa1, 'm', 0x91, 0x81, 0xa1, 'k'}) : std::string{};
    rpc_decoder decoder{limits{}};
    const std::size_t before = heap_in_use();
    decoder.feed(prefix + sample.header);
    BOOST_TEST(fatal_code(decoder.next()) == "too_large");
    BOOST_TEST(heap_in_use() - before < std::size_t{1} << 20);
  }
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_recursion) {
  rpc_decoder decoder{limits{}};
  decoder.feed(std::string(100000, '\x91'));
  BOOST_TEST(fatal_code(decoder.next()) == "too_large");
}

BOOST_AUTO_TEST_CASE(params_nested_past_the_data_depth_are_a_request_error) {
  limits shallow;
  shallow.max_depth = 4;
  // The params map holds `levels` nested arrays; the params may nest max_depth + 3 deep.
  auto nested_request = [](std::size_t levels) {
    builder b;
    b.pack().pack_array(4).pack_uint8(0).pack_uint8(6);
    b.str("edit").pack().pack_array(1).pack_map(1);
    b.str("ops").append(std::string(levels, '\x91')).pack().pack_nil();
    return b.bytes();
  };
  BOOST_TEST(as_request(decode_one(nested_request(6), shallow)).msgid == 6u);
  const auto result = decode_one(nested_request(7), shallow);
  BOOST_REQUIRE(std::holds_alternative<request_error>(result));
  BOOST_TEST(to_string(std::get<request_error>(result).error.code) == "invalid_argument");
  // The message names the data's own limit, not the frame's allowance around it.
  BOOST_TEST(std::get<request_error>(result).error.message ==
             "a value nests maps and arrays deeper than the limit of 4 levels");
}

BOOST_AUTO_TEST_CASE(a_message_nested_past_the_frame_names_the_data_limit) {
  rpc_decoder decoder{limits{}};
  decoder.feed(std::string(100, '\x91'));
  const auto result = decoder.next();
  BOOST_REQUIRE(std::holds_alternative<fatal_error>(result));
  const auto& message = std::get<fatal_error>(result).error.message;
  BOOST_TEST(message.find("at most 64 levels") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(an_http_request_is_one_fatal_error) {
  for (bool byte_by_byte : {false, true}) {
    rpc_decoder decoder{limits{}};
    const std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    if (byte_by_byte) {
      for (std::size_t i = 0; i < text.size(); ++i) {
        decoder.feed(text.substr(i, 1));
        if (i < 3) {
          BOOST_TEST(std::holds_alternative<need_more>(decoder.next()));
          BOOST_TEST(decoder.inside_message());
        }
      }
    } else {
      decoder.feed(text);
    }
    const auto result = decoder.next();
    BOOST_TEST(fatal_code(result) == "invalid_argument");
    BOOST_TEST(std::get<fatal_error>(result).error.message.find("an HTTP request") !=
               std::string::npos);
    BOOST_TEST(fatal_code(decoder.next()) == "invalid_argument");
  }
}

BOOST_AUTO_TEST_CASE(json_text_is_one_fatal_error) {
  const auto result = decode_one(R"({"jsonrpc": "2.0", "method": "ping"})");
  BOOST_TEST(fatal_code(result) == "invalid_argument");
  BOOST_TEST(std::get<fatal_error>(result).error.message.find("JSON text") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_after_the_first_message_is_msgpack_again) {
  // Only a connection's opening is sniffed: later fixints are ordinary (malformed) messages.
  rpc_decoder decoder{limits{}};
  const auto results = decode_all(decoder, request_bytes(1) + "{");
  BOOST_REQUIRE(results.size() == 3u);
  BOOST_TEST(as_request(results[0]).msgid == 1u);
  BOOST_TEST(std::holds_alternative<stream_error>(results[1]));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
