// gateway_state driven directly, with a fake connection and a fake router (no sockets, no
// actors): dispatch, backpressure, subscriptions and their races, lagging, auth, closing.
#include "actors/gateway/gateway_state.hpp"

#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "actors/cluster/cluster_placement.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms::test {

namespace {

// Everything the gateway did to its connection.
struct fake_link : connection_link {
  std::vector<json> frames;
  /// try_write refuses once this many event bytes were accepted.
  std::size_t event_budget = SIZE_MAX;
  std::size_t consumed = 0;
  std::size_t in_flight = 0;
  bool closing = false;
  bool aborted = false;

  void write(std::string_view frame) override {
    msgpack::object_handle handle = msgpack::unpack(frame.data(), frame.size());
    frames.push_back(*to_json(handle.get(), 128));
  }
  bool try_write(std::string_view frame, std::size_t) override {
    if (frame.size() > event_budget) return false;
    event_budget -= frame.size();
    write(frame);
    return true;
  }
  void report_progress(std::size_t bytes, std::size_t calls) override {
    consumed += bytes;
    in_flight = calls;
  }
  void close_after_flush() override { closing = true; }
  void abort() override { aborted = true; }
};

// The calls the gateway sent on.
struct fake_router : call_router {
  std::vector<create_call> creates;
  std::vector<room_call> calls;
  void route(create_call call) override { creates.push_back(std::move(call)); }
  void route(room_call call) override { calls.push_back(std::move(call)); }
};

const std::string room_a = "00000000-0000-4000-8000-00000000000a";

struct gateway_fixture {
  gateway_fixture() {
    auto lims = std::make_shared<limits>();
    lims->max_subscriptions = 2;
    config.node_limits = lims;
    config.counters = std::make_shared<node_counters>();
    config.node_name = "roomsd@test";
    config.server_name = "rooms test";
  }

  gateway_state& gateway() {
    if (!state) state = std::make_unique<gateway_state>(config, link, router);
    return *state;
  }

  void send(std::uint32_t msgid, std::string_view method, const json& params) {
    gateway().on_data(encode_request(msgid, method, params));
  }

  void notify(std::string_view method, const json& params) {
    gateway().on_data(encode_notification(method, params));
  }

  // Answers the last routed room call the way a room actor would.
  void answer(const room_call& call, const json& result, std::optional<std::uint64_t> version) {
    call_reply reply;
    reply.msgid = call.from.msgid;
    if (call.from.wants_reply) reply.frame = encode_response(call.from.msgid, result);
    if (version) {
      reply.subscribed_room = room_of(call.command);
      reply.subscribed_version = *version;
    }
    gateway().on_reply(reply);
  }

  void event(std::uint64_t version, bool deleted = false) {
    json map{{"room", room_a}, {"version", version}, {"type", deleted ? "deleted" : "joined"}};
    gateway().on_event(room_event{room_a, version, deleted, encode_notification("event", map)});
  }

  std::vector<std::uint64_t> event_versions() const {
    std::vector<std::uint64_t> versions;
    for (const auto& f : link.frames)
      if (f[0] == 2 && f[1] == "event") versions.push_back(f[2][0]["version"]);
    return versions;
  }

  gateway_config config;
  fake_link link;
  fake_router router;
  std::unique_ptr<gateway_state> state;
};

}  // namespace

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

// In a cluster: this gateway's node is not room_a's home.
void make_room_a_remote(gateway_config& config) {
  std::vector<cluster_node> nodes{{"here", "127.0.0.1", 1}, {"there", "127.0.0.1", 2}};
  auto probe = cluster_placement::make(nodes, "here");
  const std::string self = probe->is_local(room_a) ? "there" : "here";
  config.placement =
      std::make_shared<const cluster_placement>(*cluster_placement::make(nodes, self));
  config.call_timeout = std::chrono::milliseconds(2000);
}

BOOST_AUTO_TEST_CASE(a_call_on_another_nodes_room_is_unavailable_past_its_deadline) {
  make_room_a_remote(config);
  const auto sent = call_clock::now();
  send(1, "get", {{"room", room_a}});
  send(2, "subscribe", {{"room", room_a}});
  BOOST_REQUIRE(gateway().next_deadline().has_value());
  BOOST_TEST((*gateway().next_deadline() - sent >= std::chrono::milliseconds(2000)));
  gateway().expire_overdue(sent + std::chrono::milliseconds(1000));
  BOOST_TEST(link.frames.empty());
  gateway().expire_overdue(sent + std::chrono::milliseconds(2500));
  BOOST_REQUIRE_EQUAL(link.frames.size(), 2u);
  BOOST_TEST(link.frames[0][1] == 1);
  BOOST_TEST(link.frames[0][2]["code"] == "unavailable");
  BOOST_TEST(link.frames[0][2]["room"] == room_a);
  BOOST_TEST(link.frames[1][2]["code"] == "unavailable");
  BOOST_TEST(link.in_flight == 0u);
  BOOST_TEST(!gateway().next_deadline());
  // The gateway took back the subscribe, and a late reply changes nothing.
  BOOST_TEST(std::holds_alternative<unsubscribe_command>(router.calls.back().command));
  answer(router.calls[1], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  BOOST_TEST(link.frames.size() == 2u);
  BOOST_TEST(config.counters->to_json()["errors"]["unavailable"] == 2);
}

BOOST_AUTO_TEST_CASE(a_call_answered_in_time_never_expires) {
  make_room_a_remote(config);
  send(1, "get", {{"room", room_a}});
  answer(router.calls[0], {{"x", 1}}, std::nullopt);
  BOOST_TEST(!gateway().next_deadline());
  gateway().expire_overdue(call_clock::now() + std::chrono::hours(1));
  BOOST_REQUIRE_EQUAL(link.frames.size(), 1u);
  BOOST_TEST(link.frames[0][3]["x"] == 1);
}

BOOST_AUTO_TEST_CASE(calls_on_this_nodes_rooms_have_no_deadline) {
  send(1, "get", {{"room", room_a}});
  BOOST_TEST(!gateway().next_deadline());
}

BOOST_AUTO_TEST_CASE(losing_a_rooms_node_ends_its_subscription_with_unavailable) {
  make_room_a_remote(config);
  send(1, "subscribe", {{"room", room_a}});
  answer(router.calls[0], {{"room", room_a}, {"version", 1}}, 1);
  event(2);
  gateway().on_room_unreachable(room_a);
  BOOST_REQUIRE_EQUAL(link.frames.size(), 3u);
  BOOST_TEST(link.frames[2] == (json{2, "unavailable", {{{"room", room_a}}}}));
  BOOST_TEST(config.counters->subscriptions.load() == 0);
  event(3);
  gateway().on_room_unreachable(room_a);  // already ended: said once
  BOOST_TEST(link.frames.size() == 3u);
  // Resubscribing with since works as on one node.
  send(2, "subscribe", {{"room", room_a}, {"since", 2}});
  answer(router.calls[1], {{"room", room_a}, {"version", 4}}, 4);
  event(5);
  BOOST_TEST(event_versions() == (std::vector<std::uint64_t>{2, 5}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
