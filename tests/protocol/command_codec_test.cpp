// command_codec: every room command survives the trip to another node exactly, and bytes that
// are not a room command are refused with a clear error.
#include "protocol/command_codec.hpp"
#include "protocol/value_json.hpp"

#include <boost/test/unit_test.hpp>

#include "protocol/msgpack_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms::test {

namespace {

const std::string room = "00000000-0000-4000-8000-00000000000a";

room_command round_trip(const room_command& cmd) {
  auto decoded = decode_room_command(encode_room_command(cmd), 64);
  BOOST_REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  return *decoded;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_codec_tests)

BOOST_AUTO_TEST_CASE(every_room_command_round_trips) {
  json ops = json::parse(R"([{"op":"set","path":"/a","value":[1,2.5,null]}])");
  ops[0]["value"].push_back(json::binary({1, 2, 3}));
  edit_command edit{room, "alice", json_to_value(ops)};
  edit.if_version = 7;
  edit.key = "k-1";
  edit.reply_version_only = true;
  auto back = std::get<edit_command>(round_trip(edit));
  BOOST_TEST(back.room == room);
  BOOST_TEST(back.user == "alice");
  BOOST_TEST((to_msgpack_bytes(back.ops) == to_msgpack_bytes(edit.ops)));
  BOOST_TEST((back.if_version == std::optional<std::uint64_t>{7}));
  BOOST_TEST((back.key == std::optional<std::string>{"k-1"}));
  BOOST_TEST(back.reply_version_only);

  auto plain = std::get<edit_command>(round_trip(edit_command{room, "bob", value::array()}));
  BOOST_TEST(!plain.if_version);
  BOOST_TEST(!plain.key);
  BOOST_TEST(!plain.reply_version_only);

  BOOST_TEST(std::get<delete_command>(round_trip(delete_command{room, "a"})).user == "a");
  BOOST_TEST(std::get<join_command>(round_trip(join_command{room, "b"})).user == "b");
  BOOST_TEST(std::get<leave_command>(round_trip(leave_command{room, "c"})).user == "c");
  BOOST_TEST(std::get<get_command>(round_trip(get_command{room})).room == room);
  BOOST_TEST(!std::get<subscribe_command>(round_trip(subscribe_command{room})).since);
  BOOST_TEST((std::get<subscribe_command>(round_trip(subscribe_command{room, 0})).since ==
              std::optional<std::uint64_t>{0}));
  BOOST_TEST(std::get<unsubscribe_command>(round_trip(unsubscribe_command{room})).room == room);
}

BOOST_AUTO_TEST_CASE(what_is_not_a_room_command_is_refused) {
  BOOST_TEST(!decode_room_command("\xc1", 64).ok());
  BOOST_TEST(!decode_room_command(to_msgpack_bytes(json{1, 2}), 64).ok());
  BOOST_TEST(!decode_room_command(to_msgpack_bytes(json{"ping", json::object()}), 64).ok());
  BOOST_TEST(!decode_room_command(to_msgpack_bytes(json{"get", {{"room", 5}}}), 64).ok());
  json deep = json::array();
  for (int i = 0; i < 10; ++i) deep = json::array({deep});
  auto too_deep = decode_room_command(
      encode_room_command(
          edit_command{room, "a", json_to_value(json::array({{{"op", "set"}, {"value", deep}}}))}),
      4);
  BOOST_TEST(!too_deep.ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
