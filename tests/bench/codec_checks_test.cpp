// rooms-bench's codecs on the presence workload: what a presence update puts on the wire, and
// how a notification (Rooms) or a published message (Redis) is read back into the room, the
// session that changed and its update number, which the subscribers check for loss and reorder.
#include <boost/test/unit_test.hpp>

#include <msgpack.hpp>

#include "bench/redis_codec.hpp"
#include "bench/room_catalog.hpp"
#include "bench/rooms_codec.hpp"
#include "bench/value_stamp.hpp"

namespace rooms::bench {
namespace {

msgpack::object_handle unpack(const std::string& bytes) {
  return msgpack::unpack(bytes.data(), bytes.size());
}

BOOST_AUTO_TEST_CASE(a_rooms_presence_update_names_its_session_number_and_ttl) {
  room_catalog catalog{{"room-a", "room-b"}};
  rooms_codec codec{catalog, false};
  std::string out;
  codec.encode_presence(out, 9, 1, 3, 7, 0xabcd, 12);
  auto handle = unpack(out);
  const auto request =
      handle.get().as<msgpack::type::tuple<int, int, std::string, std::vector<msgpack::object>>>();
  BOOST_TEST(msgpack::type::get<1>(request) == 9);
  BOOST_TEST(msgpack::type::get<2>(request) == "presence");
  auto params = msgpack::type::get<3>(request).at(0).as<std::map<std::string, msgpack::object>>();
  BOOST_TEST(params.at("room").as<std::string>() == "room-b");
  BOOST_TEST(params.at("session").as<std::string>() == "c3");
  BOOST_TEST(params.at("ttl_ms").as<std::uint32_t>() == presence_ttl_ms);
  auto data = params.at("data").as<std::map<std::string, msgpack::object>>();
  BOOST_TEST(data.at("n").as<std::uint32_t>() == 7u);
  BOOST_TEST(data.at("v").as<std::string>() == stamped_value(0xabcd, 12));
}

BOOST_AUTO_TEST_CASE(a_rooms_presence_notification_is_read_back) {
  room_catalog catalog{{"room-a", "room-b"}};
  rooms_codec codec{catalog, false};
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> p{buffer};
  p.pack_array(3).pack(2).pack(std::string{"presence"}).pack_array(1).pack_map(5);
  p.pack(std::string{"room"}).pack(std::string{"room-b"});
  p.pack(std::string{"user"}).pack(std::string{"bench"});
  p.pack(std::string{"session"}).pack(std::string{"c3"});
  p.pack(std::string{"state"}).pack(std::string{"updated"});
  p.pack(std::string{"data"}).pack_map(2);
  p.pack(std::string{"n"}).pack(7);
  p.pack(std::string{"v"}).pack(stamped_value(0xabcd, 8));
  std::vector<wire_answer> answers;
  BOOST_REQUIRE(codec.feed(buffer.data(), buffer.size(), answers));
  BOOST_REQUIRE_EQUAL(answers.size(), 1u);
  BOOST_TEST((answers[0].what == wire_answer::kind::event));
  BOOST_TEST(answers[0].room == 1u);
  BOOST_TEST(answers[0].source == 3u);
  BOOST_TEST(answers[0].version == 7u);
  BOOST_TEST(*answers[0].stamp == 0xabcdu);
}

BOOST_AUTO_TEST_CASE(a_redis_presence_update_is_answered_by_its_publish) {
  room_catalog catalog{{"room:0", "room:1"}};
  redis_codec codec{catalog, "sha"};
  std::string out;
  codec.encode_presence(out, 5, 1, 2, 4, 0x10, 8);
  BOOST_TEST(out.find("HSET") != std::string::npos);
  BOOST_TEST(out.find("presence:room:1") != std::string::npos);
  BOOST_TEST(out.find("PEXPIRE") != std::string::npos);
  BOOST_TEST(out.find("PUBLISH") != std::string::npos);
  std::vector<wire_answer> answers;
  const std::string replies = ":1\r\n:1\r\n:3\r\n";
  BOOST_REQUIRE(codec.feed(replies.data(), replies.size(), answers));
  BOOST_REQUIRE_EQUAL(answers.size(), 3u);
  BOOST_TEST((answers[0].what == wire_answer::kind::other));
  BOOST_TEST((answers[1].what == wire_answer::kind::other));
  BOOST_TEST((answers[2].what == wire_answer::kind::response));
  BOOST_TEST(answers[2].msgid == 5u);
  // An error of HSET or PEXPIRE is counted, not lost.
  codec.encode_presence(out, 6, 0, 2, 5, 0x10, 8);
  answers.clear();
  const std::string failing = "-OOM no memory\r\n:1\r\n:3\r\n";
  BOOST_REQUIRE(codec.feed(failing.data(), failing.size(), answers));
  BOOST_REQUIRE_EQUAL(answers.size(), 3u);
  BOOST_TEST((answers[0].what == wire_answer::kind::error_notification));
  BOOST_TEST(*answers[0].code == "OOM");
}

BOOST_AUTO_TEST_CASE(a_redis_message_tells_presence_from_an_edit) {
  room_catalog catalog{{"room:0", "room:1"}};
  redis_codec codec{catalog, "sha"};
  auto message = [](const std::string& payload) {
    return "*3\r\n$7\r\nmessage\r\n$6\r\nroom:1\r\n$" + std::to_string(payload.size()) + "\r\n" +
           payload + "\r\n";
  };
  const std::string bytes =
      message("2:5:" + stamped_value(0x20, 8)) + message("9:" + stamped_value(0x30, 8));
  std::vector<wire_answer> answers;
  BOOST_REQUIRE(codec.feed(bytes.data(), bytes.size(), answers));
  BOOST_REQUIRE_EQUAL(answers.size(), 2u);
  BOOST_TEST(answers[0].room == 1u);
  BOOST_TEST(answers[0].source == 2u);
  BOOST_TEST(answers[0].version == 5u);
  BOOST_TEST(*answers[0].stamp == 0x20u);
  BOOST_TEST(answers[1].source == wire_answer::npos);
  BOOST_TEST(answers[1].version == 9u);
  BOOST_TEST(*answers[1].stamp == 0x30u);
}

}  // namespace
}  // namespace rooms::bench
