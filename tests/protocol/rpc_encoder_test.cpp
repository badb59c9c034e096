// Tests of the MessagePack-RPC frames written by rpc_encoder (docs/protocol.md), read
// back byte for byte, with msgpack-c, and through rpc_decoder.
#include "protocol/rpc_encoder.hpp"
#include "protocol/value_json.hpp"
#include "tests/support/raw_bytes.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_decoder.hpp"

namespace rooms {
namespace {

using test::raw_bytes;

// The whole message as a document; a frame's nil stays null.
json read_back(const std::string& bytes) {
  const msgpack::unpack_limit small{64, 64, 1024, 1024, 1024, 16};
  msgpack::object_handle handle =
      msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, small);
  auto document = to_json(handle.get(), 16);
  BOOST_REQUIRE(document.ok());
  return *document;
}

decoded_request decode(const std::string& bytes) {
  rpc_decoder decoder{limits{}};
  decoder.feed(bytes);
  const decode_result result = decoder.next();
  BOOST_REQUIRE(std::holds_alternative<decoded_request>(result));
  return std::get<decoded_request>(result);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rpc_encoder_tests)

BOOST_AUTO_TEST_CASE(response_is_type_msgid_nil_result) {
  BOOST_TEST(encode_response(7, json(true)) == raw_bytes({0x94, 0x01, 0x07, 0xc0, 0xc3}));
}

BOOST_AUTO_TEST_CASE(msgid_uses_the_smallest_unsigned_encoding) {
  BOOST_TEST(encode_response(200, json(nullptr)) == raw_bytes({0x94, 0x01, 0xcc, 200, 0xc0, 0xc0}));
  BOOST_TEST(encode_response(4294967295u, json(nullptr)) ==
             raw_bytes({0x94, 0x01, 0xce, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0}));
}

BOOST_AUTO_TEST_CASE(response_result_keeps_its_types) {
  const json result = {{"bin", json::binary({1, 2})}, {"float", 2.0}, {"neg", -3}};
  const json message = read_back(encode_response(9, result));
  BOOST_TEST(message == (json{1, 9, nullptr, result}));
  BOOST_TEST(message[3]["bin"].is_binary());
  BOOST_TEST(message[3]["float"].is_number_float());
}

BOOST_AUTO_TEST_CASE(error_response_carries_code_message_and_details) {
  const rooms_error error{error_code::conflict, "version is 5", {{"version", 5}}};
  const json message = read_back(encode_error_response(3, error));
  const json expected_error = {{"code", "conflict"}, {"message", "version is 5"}, {"version", 5}};
  BOOST_TEST(message == (json{1, 3, expected_error, nullptr}));
}

BOOST_AUTO_TEST_CASE(notification_wraps_params_in_an_array) {
  const json params = {{"room", "r"}, {"version", 2}};
  BOOST_TEST(read_back(encode_notification("event", params)) == (json{2, "event", {params}}));
}

BOOST_AUTO_TEST_CASE(error_notification_is_the_error_event) {
  const json message =
      read_back(encode_error_notification(rooms_error{error_code::too_large, "big"}));
  const json expected = {{"code", "too_large"}, {"message", "big"}};
  BOOST_TEST(message == (json{2, "error", {expected}}));
}

BOOST_AUTO_TEST_CASE(request_round_trips_through_the_decoder) {
  const json params = {{"room", "r"}, {"ops", {{{"op", "set"}, {"value", json::binary({7})}}}}};
  const decoded_request request = decode(encode_request(123456, "edit", params));
  BOOST_TEST(request.msgid == 123456u);
  BOOST_TEST(!request.is_notification);
  BOOST_TEST(request.method == "edit");
  BOOST_TEST(value_to_json(request.params) == params);
}

BOOST_AUTO_TEST_CASE(notification_round_trips_through_the_decoder) {
  const decoded_request request = decode(encode_notification("client_info", json::object()));
  BOOST_TEST(request.is_notification);
  BOOST_TEST(request.method == "client_info");
  BOOST_TEST(value_to_json(request.params) == json::object());
}

BOOST_AUTO_TEST_CASE(long_method_names_use_str8) {
  const std::string method(40, 'm');
  const std::string bytes = encode_request(1, method, json::object());
  BOOST_TEST(bytes.substr(0, 5) == raw_bytes({0x94, 0x00, 0x01, 0xd9, 40}));
  BOOST_TEST(decode(bytes).method == method);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
