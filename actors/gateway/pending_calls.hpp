// pending_calls: the calls one gateway sent on and still waits to hear back about, keyed by
// the backend's msgid. Their number is the connection's in-flight count (flow control and the
// close of a half-closed connection wait on it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace rooms {

struct pending_call {
  /// Set for a subscribe: the room whose subscription the reply settles.
  std::optional<std::string> subscribe_room;
  /// The backend sent a notification: the reply only settles state, its frame is dropped.
  bool discard_frame = false;
};

class pending_calls {
 public:
  std::size_t size() const { return calls_.size(); }
  bool empty() const { return calls_.empty(); }

  void add(std::uint32_t msgid, pending_call call) { calls_.emplace(msgid, std::move(call)); }

  /// Removes and returns the call a reply with `msgid` answers. Backends match responses by
  /// msgid, so msgids in flight are normally unique; if one was reused, a subscribe reply goes
  /// to a subscribe of its room (`subscribed_room`) where possible.
  std::optional<pending_call> take(std::uint32_t msgid,
                                   const std::optional<std::string>& subscribed_room);

 private:
  std::unordered_multimap<std::uint32_t, pending_call> calls_;
};

}  // namespace rooms
