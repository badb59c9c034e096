// gateway_state: everything one backend connection's gateway decides, as plain C++ (no CAF):
// decoding, authentication, dispatch, in-flight calls, subscriptions and lagging
// (docs/protocol.md). gateway_actor wraps it; tests drive it with fakes.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include <caf/actor_addr.hpp>

#include "actors/directory/room_key.hpp"
#include "actors/gateway/connection_link.hpp"
#include "actors/gateway/gateway_config.hpp"
#include "actors/gateway/pending_calls.hpp"
#include "actors/gateway/room_routes.hpp"
#include "actors/gateway/subscription_table.hpp"
#include "actors/messages.hpp"
#include "protocol/rpc_decoder.hpp"

namespace rooms {

class gateway_state {
 public:
  /// Most calls in flight per connection: past it, received bytes wait undecoded (and the
  /// connection stops reading) until replies come back.
  static constexpr std::size_t max_in_flight = 4096;
  /// Most requests decoded in one go: a connection that pipelines thousands of them yields
  /// its worker in between (connection_link::resume_later), so that the other connections of
  /// the node are served meanwhile.
  static constexpr std::size_t requests_per_slice = 512;

  /// `config`, `link` and `router` outlive this state.
  gateway_state(const gateway_config& config, connection_link& link, call_router& router);
  /// Closes the connection unless it is closing already, and returns its subscriptions to the
  /// node's counters.
  ~gateway_state();

  gateway_state(const gateway_state&) = delete;
  gateway_state& operator=(const gateway_state&) = delete;

  /// Bytes that arrived, in order.
  void on_data(std::string chunk);
  /// The gateway's turn after a slice that left requests undecoded (resume_later).
  void on_resume();
  /// The backend will send nothing more (half close) or the node is stopping: answer what was
  /// received, then close.
  void on_eof();
  void on_reply(call_reply& reply);
  void on_event(const room_event& event);

  /// The message deadline (node/README.md, "Slow senders"): while the backend has sent part of
  /// a message, or has not authenticated yet when tokens are required, the gateway actor arms
  /// a timer of config.message_timeout for the value returned here; nothing means no timer.
  std::optional<std::uint64_t> deadline_watch() const;
  /// The timer armed for `watched` expired: if the connection is still unauthenticated, or
  /// still inside that same message with nothing of it waiting on the node, the backend gets
  /// an error notification and the connection closes.
  void on_deadline(std::uint64_t watched);

  /// Answers `unavailable` to every call on another node's room that passed its deadline.
  void expire_overdue(call_clock::time_point now);
  /// When expire_overdue() has something to do next, if ever.
  std::optional<call_clock::time_point> next_deadline() { return pending_.next_deadline(); }
  /// The room actor `from` of this node gives its grant of direct calls back (revoke_atom): the
  /// room's later calls go through the directory again.
  void on_revoke(const std::string& room, const caf::actor_addr& from);
  /// Rooms of this node that this connection may call directly.
  std::size_t direct_rooms() const;

  /// The node holding `room` was lost: a subscription to it ends with an `unavailable`
  /// notification, so the backend can resubscribe with `since` later.
  void on_room_unreachable(const std::string& room);

  /// Rooms the connection follows or asked to follow.
  std::size_t followed_rooms() const { return subscriptions_.followed(); }
  bool follows(const std::string& room) const { return subscriptions_.follows(room); }

  /// True once the gateway has nothing left to do: the connection is closing.
  bool finished() const { return closing_; }

 private:
  void process_queued();
  /// Decodes and handles what the decoder holds, at most `budget` requests (counted down);
  /// false if it stopped there with bytes left.
  bool decode_all(std::size_t& budget);
  void on_request(decoded_request& request);
  void authenticate(decoded_request& request);
  void hello(const decoded_request& request, const hello_command& cmd);
  void dispatch(decoded_request& request, command& cmd);
  void dispatch_room(decoded_request& request, room_command& cmd);
  void subscribe(decoded_request& request, room_command& cmd);
  void unsubscribe(decoded_request& request, room_command& cmd);
  void forward(decoded_request& request, room_command& cmd, pending_call call);
  /// Sends a call on a room: to another node's room through the directory, with a deadline; to
  /// a room of this node straight to its actor when the room granted that and every call sent
  /// on it through the directory was answered (so none can be overtaken), else through the
  /// directory.
  void send_room_call(std::uint32_t msgid, bool wants_reply, pending_call call, room_command cmd);
  /// A reply to a call that went through the directory: counts it answered, keeps a grant.
  void settle_route(const pending_call& call, call_reply& reply);
  caller caller_for(const decoded_request& request, bool track, pending_call call);
  std::optional<call_clock::time_point> deadline_for(const std::string& room) const;
  void give_up(std::uint32_t msgid, pending_call& call);
  void lag(const std::string& room);
  void answer(const decoded_request& request, const json& result);
  void fail(const decoded_request& request, const rooms_error& error);
  void fail_and_close(const std::string& frame);
  void sync_subscription_counter();

  const gateway_config& config_;
  const limits& limits_;
  node_counters& counters_;
  connection_link& link_;
  call_router& router_;
  rpc_decoder decoder_;
  /// Chunks received but not fed to the decoder yet (too many calls in flight).
  std::deque<std::string> queued_;
  pending_calls pending_;

  /// Rooms past this many are called through the directory only: a connection that touches
  /// many rooms keeps no route for each.
  static constexpr std::size_t max_routes = 4096;
  /// Only rooms with a grant or a call through the directory in flight.
  room_routes routes_;

  subscription_table subscriptions_;
  /// Active subscriptions already added to the node's counter.
  std::size_t counted_subscriptions_ = 0;
  bool authenticated_;
  bool eof_ = false;
  /// The decoder may hold whole requests that a slice left.
  bool sliced_ = false;
  /// A gw_resume is on its way: until it comes, arriving bytes and replies only wait.
  bool resume_requested_ = false;
  bool closing_ = false;
};

}  // namespace rooms
