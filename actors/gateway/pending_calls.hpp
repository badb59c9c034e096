// pending_calls: the calls one gateway sent on and still waits to hear back about, keyed by
// the backend's msgid. Their number is the connection's in-flight count (flow control and the
// close of a half-closed connection wait on it). Calls sent to another cluster node also have
// a deadline, past which the gateway answers `unavailable` itself (docs/cluster.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rooms {

using call_clock = std::chrono::steady_clock;

struct pending_call {
  /// Set for a subscribe: the room whose subscription the reply settles.
  std::optional<std::string> subscribe_room;
  /// The backend sent a notification: the reply only settles state, its frame is dropped.
  bool discard_frame = false;
  /// Set for a call on a room held by another node: when to give up on its reply.
  std::optional<call_clock::time_point> deadline = std::nullopt;
  /// With a deadline: the room, named in the `unavailable` answer. With route_seq: the room
  /// whose route the reply settles.
  std::string room = {};
  /// A call on a room of this node sent through the directory: its number among that room's
  /// calls so sent (gateway_state's room routes); 0 for every other call.
  std::uint64_t route_seq = 0;
};

class pending_calls {
 public:
  std::size_t size() const { return calls_.size(); }
  bool empty() const { return calls_.empty(); }

  void add(std::uint32_t msgid, pending_call call);

  /// Removes and returns the call a reply with `msgid` answers. Backends match responses by
  /// msgid, so msgids in flight are normally unique; if one was reused, a subscribe reply goes
  /// to a subscribe of its room (`subscribed_room`) where possible.
  std::optional<pending_call> take(std::uint32_t msgid,
                                   const std::optional<std::string>& subscribed_room);

  /// Removes and returns the calls whose deadline is not after `now`, with their msgids.
  std::vector<std::pair<std::uint32_t, pending_call>> take_overdue(call_clock::time_point now);

  /// The earliest deadline of a call still waiting, if any.
  std::optional<call_clock::time_point> next_deadline();

 private:
  /// Drops deadlines of calls that were answered in time.
  void skip_answered();

  std::unordered_multimap<std::uint32_t, pending_call> calls_;
  /// (deadline, msgid) in the order the calls were sent: every remote call has the same
  /// timeout, so the front is always the earliest.
  std::deque<std::pair<call_clock::time_point, std::uint32_t>> deadlines_;
};

}  // namespace rooms
