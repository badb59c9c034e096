// Tests of rooms_client against a scripted fake node on a loopback listener thread: response
// matching by msgid, notification queueing, and failures as values (docs/protocol.md).
#include "protocol/client/rooms_client.hpp"
#include "protocol/value_json.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/rpc_decoder.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {
namespace {

using namespace std::chrono_literals;

// Accepts one connection on 127.0.0.1 (port 0) and answers each request with the bytes its
// script returns; a script returning nothing closes the connection.
class fake_node {
 public:
  using script = std::function<std::optional<std::string>(const decoded_request&)>;

  explicit fake_node(script answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    BOOST_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) == 0);
    BOOST_REQUIRE(::listen(listener_, 1) == 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~fake_node() {
    // Unblocks an accept that no client will satisfy.
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

  std::uint16_t port() const { return port_; }

 private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    rpc_decoder decoder{limits{}};
    char buffer[4096];
    bool open = true;
    while (open) {
      const ssize_t received = ::recv(fd, buffer, sizeof buffer, 0);
      if (received <= 0) break;
      decoder.feed(std::string_view{buffer, static_cast<std::size_t>(received)});
      open = answer_all(decoder, fd);
    }
    ::close(fd);
  }

  bool answer_all(rpc_decoder& decoder, int fd) {
    for (decode_result result = decoder.next(); !std::holds_alternative<need_more>(result);
         result = decoder.next()) {
      const auto* request = std::get_if<decoded_request>(&result);
      if (!request) return false;
      const std::optional<std::string> answer = answer_(*request);
      if (!answer) return false;
      ::send(fd, answer->data(), answer->size(), MSG_NOSIGNAL);
    }
    return true;
  }

  script answer_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

rooms_client connect_to(const fake_node& node) {
  auto client = rooms_client::connect("127.0.0.1", node.port(), 5s);
  BOOST_REQUIRE(client.ok());
  return std::move(*client);
}

std::string code_of(const rooms_error& error) { return std::string{to_string(error.code)}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(rooms_client_tests)

BOOST_AUTO_TEST_CASE(call_returns_its_result_and_queues_notifications_meanwhile) {
  fake_node node{[](const decoded_request& request) {
    return encode_notification("event", {{"n", request.msgid}}) +
           encode_response(request.msgid, value_to_json(request.params));
  }};
  rooms_client client = connect_to(node);
  const auto answer = client.call("echo", {{"x", 1}});
  BOOST_REQUIRE(answer.ok());
  BOOST_TEST(*answer == (json{{"x", 1}}));
  const auto event = client.next_notification(5s);
  BOOST_REQUIRE(event.has_value());
  BOOST_TEST(event->method == "event");
  BOOST_TEST(event->params == (json{{"n", 1}}));
}

BOOST_AUTO_TEST_CASE(call_returns_the_error_the_node_answers) {
  fake_node node{[](const decoded_request& request) {
    return encode_error_response(request.msgid,
                                 rooms_error{error_code::conflict, "stale", {{"version", 3}}});
  }};
  rooms_client client = connect_to(node);
  const auto answer = client.call("edit");
  BOOST_REQUIRE(!answer.ok());
  BOOST_TEST(code_of(answer.error()) == "conflict");
  BOOST_TEST(answer.error().message == "stale");
  BOOST_TEST(answer.error().details == (json{{"version", 3}}));
  BOOST_TEST(client.is_open());
}

BOOST_AUTO_TEST_CASE(responses_out_of_order_are_matched_by_msgid) {
  std::vector<std::uint32_t> pending;
  // Answers in reverse order once two requests are in.
  fake_node node{[&pending](const decoded_request& request) {
    pending.push_back(request.msgid);
    if (pending.size() < 2) return std::string{};
    std::string answers;
    for (auto id = pending.rbegin(); id != pending.rend(); ++id)
      answers += encode_response(*id, json{{"id", *id}});
    pending.clear();
    return answers;
  }};
  rooms_client client = connect_to(node);
  const auto first = client.send_request("get");
  BOOST_REQUIRE(first.ok());
  const auto second = client.call("get");
  BOOST_REQUIRE(second.ok());
  BOOST_TEST((*second)["id"] == *first + 1);
  const auto queued = client.read_message(5s);
  BOOST_REQUIRE(queued.ok());
  BOOST_REQUIRE(std::holds_alternative<response>(*queued));
  BOOST_TEST(std::get<response>(*queued).msgid == *first);
}

BOOST_AUTO_TEST_CASE(a_connection_closed_by_the_node_is_unavailable) {
  fake_node node{[](const decoded_request&) { return std::optional<std::string>{}; }};
  rooms_client client = connect_to(node);
  const auto answer = client.call("ping");
  BOOST_REQUIRE(!answer.ok());
  BOOST_TEST(code_of(answer.error()) == "unavailable");
  BOOST_TEST(!client.is_open());
  BOOST_TEST(code_of(client.call("ping").error()) == "unavailable");
}

BOOST_AUTO_TEST_CASE(the_error_notification_before_a_close_is_the_reason) {
  bool answered = false;
  fake_node node{[&answered](const decoded_request&) -> std::optional<std::string> {
    if (answered) return std::nullopt;
    answered = true;
    return encode_error_notification(rooms_error{error_code::unauthenticated, "hello first"});
  }};
  rooms_client client = connect_to(node);
  // The second request makes the fake node close, after its error notification.
  BOOST_REQUIRE(client.send_request("get").ok());
  const auto answer = client.call("get");
  BOOST_REQUIRE(!answer.ok());
  BOOST_TEST(code_of(answer.error()) == "unauthenticated");
  BOOST_TEST(answer.error().message == "hello first");
}

BOOST_AUTO_TEST_CASE(a_silent_node_times_out_and_the_connection_stays) {
  fake_node node{[](const decoded_request&) { return std::string{}; }};
  rooms_client client = connect_to(node);
  const auto answer = client.call("ping", json::object(), 20ms);
  BOOST_REQUIRE(!answer.ok());
  BOOST_TEST(code_of(answer.error()) == "unavailable");
  BOOST_TEST(client.is_open());
  BOOST_TEST(!client.next_notification(1ms).has_value());
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_msgpack_close_the_client) {
  fake_node node{[](const decoded_request&) { return std::string{"\xc1"}; }};
  rooms_client client = connect_to(node);
  const auto answer = client.call("ping");
  BOOST_REQUIRE(!answer.ok());
  BOOST_TEST(code_of(answer.error()) == "internal");
  BOOST_TEST(!client.is_open());
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_unavailable) {
  std::uint16_t port = 0;
  {
    fake_node closed_soon{[](const decoded_request&) { return std::string{}; }};
    port = closed_soon.port();
  }
  const auto client = rooms_client::connect("127.0.0.1", port, 5s);
  BOOST_REQUIRE(!client.ok());
  BOOST_TEST(code_of(client.error()) == "unavailable");
}

BOOST_AUTO_TEST_CASE(an_unknown_host_is_unavailable) {
  const auto client = rooms_client::connect("no-such-host.invalid", 7420, 5s);
  BOOST_REQUIRE(!client.ok());
  BOOST_TEST(code_of(client.error()) == "unavailable");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
