// One connection's gateway logic: decode, authenticate, dispatch, relay (docs/protocol.md).
#include "actors/gateway/gateway_state.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "protocol/command_parser.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

// Compares without leaking, through timing, how much of a token matched.
bool same_secret(const std::string& given, const std::string& known) {
  if (given.size() != known.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ known[i]);
  return diff == 0;
}

bool token_accepted(const std::vector<std::string>& tokens, const std::optional<std::string>& t) {
  if (tokens.empty()) return true;
  if (!t) return false;
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& known) { return same_secret(*t, known); });
}

const rooms_error& unauthenticated_error() {
  static const rooms_error error{error_code::unauthenticated,
                                 "the first request must be hello with a valid token"};
  return error;
}

}  // namespace

gateway_state::gateway_state(const gateway_config& config, connection_link& link,
                             call_router& router)
    : config_(config),
      limits_(*config.node_limits),
      counters_(*config.counters),
      link_(link),
      router_(router),
      decoder_(*config.node_limits),
      authenticated_(config.tokens.empty()) {}

gateway_state::~gateway_state() {
  if (!closing_) link_.abort();
  counters_.subscriptions.fetch_sub(static_cast<std::int64_t>(counted_subscriptions_),
                                    std::memory_order_relaxed);
}

void gateway_state::on_data(std::string chunk) {
  queued_.push_back(std::move(chunk));
  process_queued();
}

void gateway_state::on_resume() {
  resume_requested_ = false;
  process_queued();
}

void gateway_state::on_eof() {
  eof_ = true;
  process_queued();
}

std::optional<std::uint64_t> gateway_state::deadline_watch() const {
  if (closing_ || (authenticated_ && !decoder_.inside_message())) return std::nullopt;
  return decoder_.messages_fed();
}

void gateway_state::on_deadline(std::uint64_t watched) {
  // Bytes still queued here mean the node is behind, not the backend.
  if (closing_ || !queued_.empty() || sliced_) return;
  const auto ms = config_.message_timeout.count();
  if (!authenticated_) {
    const rooms_error error{error_code::unauthenticated,
                            fmt::format("no hello with a valid token within {} ms", ms)};
    counters_.count_error(error.code);
    return fail_and_close(encode_error_notification(error));
  }
  if (!decoder_.inside_message() || decoder_.messages_fed() != watched) return;
  const rooms_error error{error_code::invalid_argument,
                          fmt::format("a message was still incomplete after {} ms", ms)};
  counters_.count_error(error.code);
  fail_and_close(encode_error_notification(error));
}

void gateway_state::process_queued() {
  if (resume_requested_) return;  // the slice to come takes it from here, in order
  std::size_t consumed = 0;
  std::size_t budget = requests_per_slice;
  while (!closing_ && pending_.size() < max_in_flight) {
    if (!sliced_) {
      if (queued_.empty()) break;
      decoder_.feed(queued_.front());
      consumed += queued_.front().size();
      queued_.pop_front();
    }
    sliced_ = !decode_all(budget);
    if (sliced_ && !closing_) {
      resume_requested_ = true;
      link_.resume_later();
      break;
    }
  }
  // Half closed (or the node is stopping): every answer is out once nothing is in flight.
  if (!closing_ && eof_ && queued_.empty() && !sliced_ && pending_.empty()) {
    closing_ = true;
    link_.close_after_flush();
  }
  link_.report_progress(consumed, pending_.size());
}

bool gateway_state::decode_all(std::size_t& budget) {
  while (!closing_) {
    if (budget == 0) return false;
    decode_result next = decoder_.next();
    if (std::holds_alternative<need_more>(next)) return true;
    --budget;
    if (auto* request = std::get_if<decoded_request>(&next)) {
      on_request(*request);
    } else if (auto* bad = std::get_if<request_error>(&next)) {
      const rooms_error& error = authenticated_ ? bad->error : unauthenticated_error();
      counters_.count_error(error.code);
      if (!authenticated_) {
        fail_and_close(encode_error_response(bad->msgid, error));
        return true;
      }
      link_.write(encode_error_response(bad->msgid, error));
    } else if (auto* bad_stream = std::get_if<stream_error>(&next)) {
      const rooms_error& error = authenticated_ ? bad_stream->error : unauthenticated_error();
      counters_.count_error(error.code);
      if (!authenticated_) {
        fail_and_close(encode_error_notification(error));
        return true;
      }
      link_.write(encode_error_notification(error));
    } else if (auto* fatal = std::get_if<fatal_error>(&next)) {
      counters_.count_error(fatal->error.code);
      fail_and_close(encode_error_notification(fatal->error));
    }
    // ignored_message: a response sent by the backend is never answered.
  }
  return true;
}

void gateway_state::on_request(decoded_request& request) {
  counters_.count_request(request.method);
  if (!authenticated_) return authenticate(request);
  auto parsed = parse_command(request.method, request.params);
  if (!parsed) {
    // Generic clients send notifications of their own; unknown ones are ignored silently.
    if (request.is_notification && parsed.error().code == error_code::unknown_method) return;
    return fail(request, parsed.error());
  }
  dispatch(request, *parsed);
}

void gateway_state::authenticate(decoded_request& request) {
  auto parsed = parse_command(request.method, request.params);
  if (parsed) {
    if (auto* cmd = std::get_if<hello_command>(&*parsed)) return hello(request, *cmd);
  }
  counters_.count_error(error_code::unauthenticated);
  fail_and_close(request.is_notification
                     ? encode_error_notification(unauthenticated_error())
                     : encode_error_response(request.msgid, unauthenticated_error()));
}

void gateway_state::hello(const decoded_request& request, const hello_command& cmd) {
  if (!token_accepted(config_.tokens, cmd.token)) {
    rooms_error error{error_code::unauthenticated,
                      cmd.token ? "the token is not valid" : "hello needs a token"};
    counters_.count_error(error.code);
    return fail_and_close(request.is_notification ? encode_error_notification(error)
                                                  : encode_error_response(request.msgid, error));
  }
  authenticated_ = true;
  // `features` names the optional extensions served (presence, expire, list).
  answer(request, {{"node", config_.node_name},
                   {"protocol", 1},
                   {"server", config_.server_name},
                   {"features", json::array({"presence", "expire", "list"})}});
}

void gateway_state::dispatch(decoded_request& request, command& cmd) {
  if (auto* create = std::get_if<create_command>(&cmd)) {
    caller from = caller_for(request, !request.is_notification, {});
    router_.route(create_call{std::move(from), std::move(*create)});
  } else if (auto* room_cmd = std::get_if<room_command>(&cmd)) {
    dispatch_room(request, *room_cmd);
  } else if (auto* hello_cmd = std::get_if<hello_command>(&cmd)) {
    hello(request, *hello_cmd);
  } else if (auto* list = std::get_if<list_command>(&cmd)) {
    caller from = caller_for(request, !request.is_notification, {});
    router_.route(list_call{std::move(from), std::move(list->query)});
  } else if (std::holds_alternative<ping_command>(cmd)) {
    answer(request, {{"pong", true}, {"node", config_.node_name}});
  } else {
    json stats = counters_.to_json();
    stats["node"] = config_.node_name;
    if (config_.placement) {
      stats["cluster"] = {{"nodes", config_.placement->size()},
                          {"peers_up", counters_.peers_up.load(std::memory_order_relaxed)}};
    }
    answer(request, stats);
  }
}

void gateway_state::dispatch_room(decoded_request& request, room_command& cmd) {
  if (std::holds_alternative<subscribe_command>(cmd)) return subscribe(request, cmd);
  if (std::holds_alternative<unsubscribe_command>(cmd)) return unsubscribe(request, cmd);
  forward(request, cmd, {});
}

void gateway_state::subscribe(decoded_request& request, room_command& cmd) {
  std::string room = room_of(cmd);
  if (!subscriptions_.follows(room) && subscriptions_.followed() >= limits_.max_subscriptions) {
    return fail(request, rooms_error{error_code::too_large,
                                     fmt::format("a connection may follow at most {} rooms",
                                                 limits_.max_subscriptions),
                                     {{"limit", limits_.max_subscriptions}}});
  }
  subscriptions_.subscribe_sent(room);
  // Always answered, even for a notification: the reply says whether the room is followed.
  send_room_call(request.msgid, true, pending_call{room, request.is_notification}, std::move(cmd));
}

void gateway_state::unsubscribe(decoded_request& request, room_command& cmd) {
  subscriptions_.end(room_of(cmd));
  sync_subscription_counter();
  forward(request, cmd, {});
}

void gateway_state::forward(decoded_request& request, room_command& cmd, pending_call call) {
  send_room_call(request.msgid, !request.is_notification, std::move(call), std::move(cmd));
}

void gateway_state::send_room_call(std::uint32_t msgid, bool wants_reply, pending_call call,
                                   room_command cmd) {
  const std::string& room = room_of(cmd);
  caller from{{}, msgid, wants_reply};
  if (auto deadline = deadline_for(room)) {
    call.deadline = deadline;
    call.room = room;
  } else if (const auto key = room_key::of(room); key && room_routes::holds(*key)) {
    room_route* route = routes_.find(*key);
    if (route != nullptr && route->direct && route->routed_answered == route->routed_sent) {
      from.direct = true;
      if (wants_reply) pending_.add(msgid, std::move(call));
      router_.route_direct(route->direct, room_call{std::move(from), std::move(cmd)});
      return;
    }
    if (route == nullptr && routes_.size() < max_routes) route = &routes_.insert(*key);
    if (route != nullptr) {
      // A notification is numbered too: no reply answers it, so the route stays with the
      // directory until a later call's reply shows that the room has handled it.
      const std::uint64_t seq = ++route->routed_sent;
      if (wants_reply) {
        call.route_seq = seq;
        call.room = room;
        ++route->routed_waiting;
      }
    }
  }
  if (wants_reply) pending_.add(msgid, std::move(call));
  router_.route(room_call{std::move(from), std::move(cmd)});
}

void gateway_state::settle_route(const pending_call& call, call_reply& reply) {
  if (call.route_seq == 0) return;
  const auto key = room_key::of(call.room);
  room_route* route = key ? routes_.find(*key) : nullptr;
  if (route == nullptr) return;
  route->routed_answered = std::max(route->routed_answered, call.route_seq);
  --route->routed_waiting;
  if (reply.grant && !route->direct) route->direct = std::move(reply.grant);
  if (!route->direct && route->routed_waiting == 0) routes_.erase(*key);
}

void gateway_state::on_revoke(const std::string& room, const caf::actor_addr& from) {
  const auto key = room_key::of(room);
  room_route* route = key ? routes_.find(*key) : nullptr;
  if (route == nullptr || !route->direct || route->direct.address() != from) return;
  route->direct = nullptr;
  if (route->routed_waiting == 0) routes_.erase(*key);
}

std::size_t gateway_state::direct_rooms() const { return routes_.direct(); }

caller gateway_state::caller_for(const decoded_request& request, bool wants_reply,
                                 pending_call call) {
  if (wants_reply) pending_.add(request.msgid, std::move(call));
  return caller{{}, request.msgid, wants_reply};
}

std::optional<call_clock::time_point> gateway_state::deadline_for(const std::string& room) const {
  if (!config_.placement || config_.placement->is_local(room)) return std::nullopt;
  return call_clock::now() + config_.call_timeout;
}

void gateway_state::expire_overdue(call_clock::time_point now) {
  for (auto& [msgid, call] : pending_.take_overdue(now)) give_up(msgid, call);
  process_queued();
}

// The reply may still come, or never: either way the backend hears `unavailable` now, and a
// late reply finds no pending call and is dropped.
void gateway_state::give_up(std::uint32_t msgid, pending_call& call) {
  rooms_error error{error_code::unavailable,
                    fmt::format("room {} did not answer within {} ms (its node cannot be reached)",
                                call.room, config_.call_timeout.count()),
                    {{"room", call.room}}};
  counters_.count_error(error.code);
  if (call.subscribe_room) {
    subscriptions_.subscribe_answered(*call.subscribe_room, std::nullopt);
    sync_subscription_counter();
    // Should the subscribe still arrive, the room stops sending events nobody relays.
    send_room_call(0, false, {}, unsubscribe_command{*call.subscribe_room});
  }
  if (!call.discard_frame && !closing_) link_.write(encode_error_response(msgid, error));
}

void gateway_state::on_room_unreachable(const std::string& room) {
  if (closing_ || !subscriptions_.is_active(room)) return;
  link_.write(encode_notification("unavailable", json{{"room", room}}));
  subscriptions_.end(room);
  sync_subscription_counter();
}

void gateway_state::on_reply(call_reply& reply) {
  auto call = pending_.take(reply.msgid, reply.subscribed_room);
  if (!call) return;
  settle_route(*call, reply);
  if (reply.error) counters_.count_error(*reply.error);
  if (call->subscribe_room) {
    std::optional<std::uint64_t> version;
    if (reply.subscribed_room) version = reply.subscribed_version;
    subscriptions_.subscribe_answered(*call->subscribe_room, version);
    sync_subscription_counter();
  }
  if (!call->discard_frame && !closing_) link_.write(reply.frame);
  process_queued();
}

void gateway_state::on_event(const room_event& event) {
  if (closing_) return;
  using outcome = subscription_table::relay_outcome;
  const outcome relayed = subscriptions_.relay(
      event.room, event.key, event.version, event.deleted, event.presence,
      [&] { return link_.try_write(event.frame, limits_.max_outbound_bytes); });
  if (relayed == outcome::refused) return lag(event.room);
  if (relayed == outcome::skipped) return;
  counters_.events_sent.fetch_add(1, std::memory_order_relaxed);
  sync_subscription_counter();
}

void gateway_state::lag(const std::string& room) {
  link_.write(encode_notification(
      "lagged", json{{"room", room}, {"version", subscriptions_.last_version(room)}}));
  subscriptions_.end(room);
  sync_subscription_counter();
  counters_.lagged.fetch_add(1, std::memory_order_relaxed);
  // The same way as the backend's own calls: a later subscribe must not overtake it.
  send_room_call(0, false, {}, unsubscribe_command{room});
}

void gateway_state::answer(const decoded_request& request, const json& result) {
  if (!request.is_notification) link_.write(encode_response(request.msgid, result));
}

void gateway_state::fail(const decoded_request& request, const rooms_error& error) {
  counters_.count_error(error.code);
  if (!request.is_notification) link_.write(encode_error_response(request.msgid, error));
}

void gateway_state::fail_and_close(const std::string& frame) {
  link_.write(frame);
  closing_ = true;
  link_.close_after_flush();
}

void gateway_state::sync_subscription_counter() {
  const std::size_t now = subscriptions_.active();
  // Called for every relayed event: the node-wide counter (a cache line every worker writes)
  // is touched only when this connection's count changed.
  if (now == counted_subscriptions_) return;
  counters_.subscriptions.fetch_add(
      static_cast<std::int64_t>(now) - static_cast<std::int64_t>(counted_subscriptions_),
      std::memory_order_relaxed);
  counted_subscriptions_ = now;
}

}  // namespace rooms
