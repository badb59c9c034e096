// gateway_state driven directly, with a fake connection and a fake router (no sockets, no
// actors): dispatch, backpressure, subscriptions and their races, lagging, auth, closing.
#include "actors/gateway/gateway_state.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/actors/gateway_fixture.hpp"

namespace rooms::test {

BOOST_FIXTURE_TEST_SUITE(gateway_state_tests, gateway_fixture)

BOOST_AUTO_TEST_CASE(ping_is_answered_locally_and_counted) {
  send(3, "ping", json::object());
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0] == (json{1, 3, nullptr, {{"pong", true}, {"node", "roomsd@test"}}}));
  BOOST_TEST(config.counters->to_json()["requests"]["ping"] == 1);
}

BOOST_AUTO_TEST_CASE(pipelined_calls_are_routed_in_order_and_replies_relayed) {
  std::string bytes;
  for (std::uint32_t i = 1; i <= 3; ++i) bytes += encode_request(i, "get", {{"room", room_a}});
  gateway().on_data(bytes);
  BOOST_REQUIRE_EQUAL(router.calls.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) BOOST_TEST(router.calls[i].from.msgid == i + 1);
  BOOST_TEST(link.in_flight == 3u);
  BOOST_TEST(link.consumed == bytes.size());
  answer(router.calls[1], {{"x", 2}}, std::nullopt);
  BOOST_TEST(link.in_flight == 2u);
  BOOST_TEST(link.frames.back() == (json{1, 2, nullptr, {{"x", 2}}}));
}

BOOST_AUTO_TEST_CASE(a_request_arriving_byte_by_byte) {
  std::string bytes = encode_request(9, "create", {{"user", "alice"}});
  for (char b : bytes) gateway().on_data(std::string(1, b));
  BOOST_REQUIRE_EQUAL(router.creates.size(), 1u);
  BOOST_TEST(router.creates[0].command.user == "alice");
  BOOST_TEST(router.creates[0].from.msgid == 9u);
}

BOOST_AUTO_TEST_CASE(past_the_in_flight_bound_bytes_wait_undecoded) {
  for (std::size_t i = 0; i < gateway_state::max_in_flight; ++i)
    send(static_cast<std::uint32_t>(i), "get", {{"room", room_a}});
  const std::size_t consumed = link.consumed;
  send(99999, "get", {{"room", room_a}});
  BOOST_TEST(router.calls.size() == gateway_state::max_in_flight);
  BOOST_TEST(link.consumed == consumed);
  answer(router.calls[0], json::object(), std::nullopt);
  BOOST_TEST(router.calls.size() == gateway_state::max_in_flight + 1);
  BOOST_TEST(router.calls.back().from.msgid == 99999u);
  BOOST_TEST(link.consumed > consumed);
}

BOOST_AUTO_TEST_CASE(a_long_pipeline_is_decoded_a_slice_per_turn_in_order) {
  const std::size_t slice = gateway_state::requests_per_slice;
  const std::size_t count = 2 * slice + 7;
  std::string pings;
  for (std::size_t i = 1; i <= count; ++i)
    pings += encode_request(static_cast<std::uint32_t>(i), "ping", json::object());
  gateway().on_data(pings);
  BOOST_TEST(link.frames.size() == slice);
  BOOST_TEST(link.resumes == 1u);
  // Until the resume comes, what arrives waits behind the slice left, and asks for no other.
  gateway().on_data(encode_request(50000, "get", {{"room", room_a}}));
  BOOST_TEST(link.frames.size() == slice);
  BOOST_TEST(router.calls.empty());
  BOOST_TEST(link.resumes == 1u);
  gateway().on_resume();
  BOOST_TEST(link.frames.size() == 2 * slice);
  BOOST_TEST(link.resumes == 2u);
  gateway().on_resume();
  BOOST_TEST(link.frames.size() == count);
  BOOST_REQUIRE_EQUAL(router.calls.size(), 1u);
  BOOST_TEST(router.calls[0].from.msgid == 50000u);
  BOOST_TEST(link.resumes == 2u);
  for (std::size_t i = 0; i < count; ++i) BOOST_TEST(link.frames[i][1] == i + 1);
}

BOOST_AUTO_TEST_CASE(a_half_close_waits_for_the_slices_left) {
  std::string pings;
  for (std::size_t i = 1; i <= gateway_state::requests_per_slice + 1; ++i)
    pings += encode_request(static_cast<std::uint32_t>(i), "ping", json::object());
  gateway().on_data(pings);
  gateway().on_eof();
  BOOST_TEST(!link.closing);
  gateway().on_resume();
  BOOST_TEST(link.frames.size() == gateway_state::requests_per_slice + 1);
  BOOST_TEST(link.closing);
}

BOOST_AUTO_TEST_CASE(events_above_the_subscribed_version_once_each) {
  send(1, "subscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 4}}, 4);
  event(4);  // already in the subscribe reply
  event(5);
  event(5);  // a duplicate
  event(6);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{5, 6}));
  BOOST_TEST(config.counters->subscriptions.load() == 1);
  event(7, true);
  event(8);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{5, 6, 7}));
  BOOST_TEST(config.counters->subscriptions.load() == 0);
}

BOOST_AUTO_TEST_CASE(an_unsubscribe_cancels_a_subscribe_still_in_flight) {
  send(1, "subscribe", {{"room", room_a}});
  send(2, "unsubscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  BOOST_TEST(event_versions().empty());
  BOOST_TEST(config.counters->subscriptions.load() == 0);
  send(3, "subscribe", {{"room", room_a}});
  answer(router.calls[2], {{"room", room_a}, {"version", 2}}, 2);
  event(3);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{3}));
}

BOOST_AUTO_TEST_CASE(a_subscriber_past_the_outbound_limit_lags) {
  send(1, "subscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  link.event_budget = 0;
  event(3);
  event(4);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{2}));
  BOOST_TEST(link.frames.back() == (json{2, "lagged", {{{"room", room_a}, {"version", 2}}}}));
  BOOST_REQUIRE_EQUAL(router.calls.size(), 2u);
  BOOST_TEST(std::holds_alternative<unsubscribe_command>(router.calls[1].command));
  BOOST_TEST(!router.calls[1].from.wants_reply);
  BOOST_TEST(config.counters->lagged.load() == 1u);
  BOOST_TEST(config.counters->subscriptions.load() == 0);
}

BOOST_AUTO_TEST_CASE(the_subscription_limit_counts_pending_subscribes) {
  send(1, "subscribe", {{"room", "r1"}});
  send(2, "subscribe", {{"room", "r2"}});
  send(3, "subscribe", {{"room", "r2"}});
  send(4, "subscribe", {{"room", "r3"}});
  BOOST_TEST(router.calls.size() == 3u);
  BOOST_TEST(link.frames.back()[2]["code"] == "too_large");
  send(5, "unsubscribe", {{"room", "r1"}});
  send(6, "subscribe", {{"room", "r3"}});
  BOOST_TEST(router.calls.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_subscribe_notification_subscribes_silently) {
  notify("subscribe", {{"room", room_a}});
  BOOST_REQUIRE_EQUAL(router.calls.size(), 1u);
  BOOST_TEST(router.calls[0].from.wants_reply);  // the room's reply settles the subscription
  call_reply reply;
  reply.msgid = 0;
  reply.frame = encode_response(0, {{"room", room_a}});
  reply.subscribed_room = room_a;
  reply.subscribed_version = 1;
  gateway().on_reply(reply);
  BOOST_TEST(link.frames.empty());
  event(2);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{2}));
}

BOOST_AUTO_TEST_CASE(unknown_notifications_are_ignored) {
  notify("nvim_set_client_info", {{"name", "x"}});
  notify("join", {{"room", room_a}, {"user", "bob"}});
  BOOST_TEST(link.frames.empty());
  BOOST_REQUIRE_EQUAL(router.calls.size(), 1u);
  BOOST_TEST(!router.calls[0].from.wants_reply);
  BOOST_TEST(link.in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(tokens_require_hello_first) {
  config.tokens = {"secret"};
  send(1, "ping", json::object());
  BOOST_TEST(link.frames.back()[2]["code"] == "unauthenticated");
  BOOST_TEST(link.closing);
  BOOST_TEST(gateway().finished());
}

BOOST_AUTO_TEST_CASE(a_valid_token_opens_the_connection) {
  config.tokens = {"other", "secret"};
  send(1, "hello", {{"token", "secret"}});
  send(2, "ping", json::object());
  BOOST_TEST(link.frames[0][3]["protocol"] == 1);
  BOOST_TEST(link.frames[1][3]["pong"] == true);
  BOOST_TEST(!link.closing);
}

BOOST_AUTO_TEST_CASE(end_of_input_closes_after_the_last_answer) {
  send(1, "get", {{"room", room_a}});
  gateway().on_eof();
  BOOST_TEST(!link.closing);
  answer(router.calls[0], json::object(), std::nullopt);
  BOOST_TEST(link.frames.size() == 1u);
  BOOST_TEST(link.closing);
  BOOST_TEST(gateway().finished());
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_msgpack_close_the_connection) {
  gateway().on_data(std::string(1, '\xc1'));
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][1] == "error");
  BOOST_TEST(link.frames[0][2][0]["code"] == "invalid_argument");
  BOOST_TEST(link.closing);
  state.reset();
  BOOST_TEST(!link.aborted);  // the close already under way is not cut short
}

BOOST_AUTO_TEST_CASE(a_gateway_that_goes_away_aborts_its_connection) {
  send(1, "subscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 1}}, 1);
  BOOST_TEST(config.counters->subscriptions.load() == 1);
  state.reset();
  BOOST_TEST(link.aborted);
  BOOST_TEST(config.counters->subscriptions.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_message_that_does_not_complete_in_time_closes_the_connection) {
  BOOST_TEST(!gateway().deadline_watch());  // idle between messages: no deadline
  const std::string bytes = encode_request(1, "ping", json::object());
  gateway().on_data(bytes.substr(0, 3));
  const auto watched = gateway().deadline_watch();
  BOOST_REQUIRE(watched);
  gateway().on_data(bytes.substr(3, 2));  // progress does not reset the deadline
  BOOST_TEST((gateway().deadline_watch() == watched));
  gateway().on_deadline(*watched);
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][1] == "error");
  BOOST_TEST(link.frames[0][2][0]["code"] == "invalid_argument");
  BOOST_TEST(link.closing);
}

BOOST_AUTO_TEST_CASE(a_deadline_for_a_message_that_completed_meanwhile_is_ignored) {
  const std::string bytes = encode_request(1, "ping", json::object());
  gateway().on_data(bytes.substr(0, 3));
  const auto watched = gateway().deadline_watch();
  BOOST_REQUIRE(watched);
  gateway().on_data(bytes.substr(3) + bytes.substr(0, 3));  // the next message has begun
  BOOST_TEST((gateway().deadline_watch() != watched));
  gateway().on_deadline(*watched);
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][3]["pong"] == true);
  BOOST_TEST(!link.closing);
}

BOOST_AUTO_TEST_CASE(bytes_the_node_has_not_decoded_yet_do_not_count_against_the_backend) {
  for (std::size_t i = 0; i + 1 < gateway_state::max_in_flight; ++i)
    send(static_cast<std::uint32_t>(i), "get", {{"room", room_a}});
  const std::string last = encode_request(99998, "get", {{"room", room_a}});
  const std::string slow = encode_request(99999, "get", {{"room", room_a}});
  gateway().on_data(last + slow.substr(0, 3));  // in flight is full now
  const auto watched = gateway().deadline_watch();
  BOOST_REQUIRE(watched);
  gateway().on_data(slow.substr(3));  // the rest arrived, but waits undecoded
  gateway().on_deadline(*watched);
  BOOST_TEST(!link.closing);
  answer(router.calls[0], json::object(), std::nullopt);
  BOOST_TEST(router.calls.back().from.msgid == 99999u);
}

BOOST_AUTO_TEST_CASE(with_tokens_a_connection_must_say_hello_in_time) {
  config.tokens = {"secret"};
  const auto watched = gateway().deadline_watch();
  BOOST_REQUIRE(watched);
  gateway().on_deadline(*watched);
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][2][0]["code"] == "unauthenticated");
  BOOST_TEST(link.closing);
}

BOOST_AUTO_TEST_CASE(an_authenticated_idle_connection_has_no_deadline) {
  config.tokens = {"secret"};
  send(1, "hello", {{"token", "secret"}});
  BOOST_TEST(!gateway().deadline_watch());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
