// The wire against a real node (docs/protocol.md): pipelining, partial messages,
// notifications both ways, odd but valid shapes, malformed input, half close.
#include <map>
#include <set>

#include <boost/test/unit_test.hpp>

#include "tests/integration/raw_socket.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

json request(std::uint32_t msgid, const std::string& method, const json& params) {
  return json{0, msgid, method, json::array({params})};
}

// Asserts `message` is the response `[1, msgid, nil, result]` and returns the result.
json result_of(const json& message, std::uint32_t msgid) {
  BOOST_REQUIRE_MESSAGE(message.is_array() && message.size() == 4 && message[0] == 1 &&
                            message[1] == msgid && message[2].is_null(),
                        "not a successful response to " << msgid << ": " << message.dump());
  return message[3];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wire)

BOOST_AUTO_TEST_CASE(a_thousand_pipelined_edits_keep_their_order, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  std::vector<std::uint32_t> sent;
  for (int i = 0; i < 1000; ++i) {
    json ops = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
    auto msgid = client.send_request(
        "edit", {{"room", room}, {"user", "alice"}, {"ops", ops}, {"reply", "version"}});
    BOOST_REQUIRE(msgid.ok());
    sent.push_back(*msgid);
  }
  std::map<std::uint32_t, std::uint64_t> version_of;
  for (int i = 0; i < 1000; ++i) {
    auto message = client.read_message(20s);
    BOOST_REQUIRE(message.ok());
    auto* answer = std::get_if<response>(&*message);
    BOOST_REQUIRE(answer != nullptr);
    version_of[answer->msgid] = must(answer->outcome)["version"].get<std::uint64_t>();
  }
  BOOST_REQUIRE_EQUAL(version_of.size(), 1000u);
  std::uint64_t previous = 1;
  for (auto msgid : sent) {
    BOOST_REQUIRE_GT(version_of[msgid], previous);
    previous = version_of[msgid];
  }
  BOOST_TEST(previous == 1001u);
}

BOOST_AUTO_TEST_CASE(a_request_sent_one_byte_at_a_time, *cluster_case) {
  node_process node;
  raw_socket socket{node.port()};
  std::string bytes = pack(request(7, "create", {{"user", "alice"}, {"data", {{"k", "v"}}}}));
  for (char byte : bytes) socket.send(std::string_view{&byte, 1});
  auto messages = socket.read(1, 10s);
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(result_of(messages[0], 7)["data"] == (json{{"k", "v"}}));
}

BOOST_AUTO_TEST_CASE(garbage_closes_only_its_own_connection, *cluster_case) {
  node_process node;
  auto good = node.connect();
  const std::string room = create_room(good, "alice");
  raw_socket bad{node.port()};
  bad.send(std::string(1, '\xc1'));
  auto messages = bad.read_to_end(10s);
  BOOST_TEST(bad.closed());
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(messages[0][0] == 2);
  BOOST_TEST(messages[0][1] == "error");
  BOOST_TEST(messages[0][2][0]["code"] == "invalid_argument");
  BOOST_TEST(must(good.call("get", {{"room", room}}))["version"] == 1);
}

BOOST_AUTO_TEST_CASE(a_message_past_the_size_limit_closes_the_connection) {
  node_process node{{"--max-message-bytes", "1024"}};
  raw_socket socket{node.port()};
  socket.send(
      pack(request(1, "create", {{"user", "a"}, {"data", {{"s", std::string(2000, 'x')}}}})));
  auto messages = socket.read_to_end(10s);
  BOOST_TEST(socket.closed());
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(messages[0][1] == "error");
  BOOST_TEST(messages[0][2][0]["code"] == "too_large");
  BOOST_TEST(must(node.connect().call("ping"))["pong"] == true);
}

BOOST_AUTO_TEST_CASE(notifications_from_the_backend, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  BOOST_TEST(!client.send_notification("join", {{"room", room}, {"user", "bob"}}));
  BOOST_TEST(!client.send_notification("nvim_set_client_info", {{"name", "x"}}));
  BOOST_TEST(!client.send_notification("get", {{"room", 42}}));
  BOOST_TEST(must(client.call("get", {{"room", room}}))["members"] == (json{"alice", "bob"}));
  BOOST_TEST(!client.next_notification(300ms));
}

BOOST_AUTO_TEST_CASE(a_subscribe_notification_still_subscribes) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  BOOST_TEST(!client.send_notification("subscribe", {{"room", room}}));
  must(client.call("join", {{"room", room}, {"user", "bob"}}));
  auto note = client.next_notification(10s);
  BOOST_REQUIRE(note);
  BOOST_TEST(note->params["version"] == 2);
  BOOST_TEST(must(client.call("stats"))["subscriptions"] == 1);
}

BOOST_AUTO_TEST_CASE(odd_but_valid_shapes, *cluster_case) {
  node_process node;
  raw_socket socket{node.port()};
  socket.send(pack(json{1, 99, nullptr, "a response from the backend"}));
  socket.send(pack(json{0, 1, "ping", json::array()}));
  json bin_method{0, 2, json::binary({'p', 'i', 'n', 'g'}), json::array({json::object()})};
  socket.send(pack(bin_method));
  auto messages = socket.read(2, 10s);
  BOOST_REQUIRE_EQUAL(messages.size(), 2u);
  BOOST_TEST(result_of(messages[0], 1)["pong"] == true);
  BOOST_TEST(result_of(messages[1], 2)["pong"] == true);
  BOOST_TEST(socket.read(1, 200ms).empty());
}

BOOST_AUTO_TEST_CASE(malformed_requests_keep_the_connection, *cluster_case) {
  node_process node;
  raw_socket socket{node.port()};
  socket.send(pack(json{0, 5, "ping"}));           // a msgid, but no params
  socket.send(pack(json{"not", "a", "request"}));  // no msgid
  socket.send(pack(json{0, 6, "ping", json::array()}));
  auto messages = socket.read(3, 10s);
  BOOST_REQUIRE_EQUAL(messages.size(), 3u);
  BOOST_TEST(messages[0][1] == 5);
  BOOST_TEST(messages[0][2]["code"] == "invalid_argument");
  BOOST_TEST(messages[1][1] == "error");
  BOOST_TEST(messages[1][2][0]["code"] == "invalid_argument");
  BOOST_TEST(result_of(messages[2], 6)["pong"] == true);
  BOOST_TEST(!socket.closed());
}

// A connection that opens with text gets one error notification naming what arrived, then the
// node closes it; sent whole or a byte at a time.
struct text_opening {
  const char* bytes;
  const char* named;
};

const text_opening text_openings[] = {
    {"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "an HTTP request ('GET / HTTP/1.1')"},
    {"POST /rpc HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "an HTTP request ('POST /rpc"},
    {R"({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": []})"
     "\n",
     "JSON text (starting with '{')"},
    {R"([0, 1, "ping", []])", "JSON text (starting with '[')"},
};

BOOST_AUTO_TEST_CASE(text_instead_of_msgpack_gets_one_notice_and_a_close) {
  node_process node;
  for (const auto& opening : text_openings) {
    for (bool byte_by_byte : {false, true}) {
      raw_socket socket{node.port()};
      const std::string_view bytes{opening.bytes};
      if (byte_by_byte) {
        for (char c : bytes) socket.send(std::string_view{&c, 1});
      } else {
        socket.send(bytes);
      }
      auto messages = socket.read_to_end(10s);
      BOOST_TEST(socket.closed(), opening.bytes);
      BOOST_REQUIRE_EQUAL(messages.size(), 1u);
      BOOST_TEST(messages[0][0] == 2);
      BOOST_TEST(messages[0][1] == "error");
      BOOST_TEST(messages[0][2][0]["code"] == "invalid_argument");
      const auto message = messages[0][2][0]["message"].get<std::string>();
      BOOST_TEST(message.find(opening.named) != std::string::npos, message);
      BOOST_TEST(message.find("MessagePack-RPC") != std::string::npos, message);
    }
  }
  // The node still serves MessagePack, including a first byte that starts like a method name.
  raw_socket socket{node.port()};
  socket.send(pack(json{0, 1, "ping", json::array()}));
  auto messages = socket.read(1, 10s);
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(result_of(messages[0], 1)["pong"] == true);
}

BOOST_AUTO_TEST_CASE(a_half_closed_connection_gets_all_its_answers, *cluster_case) {
  node_process node;
  raw_socket socket{node.port()};
  std::string bytes;
  for (std::uint32_t i = 1; i <= 50; ++i)
    bytes += pack(request(i, "create", {{"user", "u" + std::to_string(i)}}));
  bytes += pack(request(51, "ping", json::object()));
  socket.send(bytes);
  socket.shutdown_write();
  auto messages = socket.read_to_end(10s);
  BOOST_TEST(socket.closed());
  BOOST_REQUIRE_EQUAL(messages.size(), 51u);
  std::set<std::uint32_t> answered;
  for (const auto& m : messages) answered.insert(m[1].get<std::uint32_t>());
  BOOST_TEST(answered.size() == 51u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
