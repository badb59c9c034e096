// connection_link: what a gateway actor may do with its backend connection, and call_router:
// where it sends the calls it decoded. tcp_connection implements the first, the gateway actor
// the second; tests of gateway_state fake both.
#pragma once

#include <cstddef>
#include <string_view>

#include "actors/messages.hpp"

namespace rooms {

/// The outbound side and the flow control of one connection. Every member may be called from
/// any thread (in practice: the gateway actor's worker thread).
class connection_link {
 public:
  virtual ~connection_link() = default;

  /// Queues a complete frame for writing. Frames are written in the order they were queued;
  /// nothing is written after close_after_flush() or once the connection is gone. A frame may
  /// wait for the next flush() (or close_after_flush()): a burst of answers then leaves in one
  /// system call.
  virtual void write(std::string_view frame) = 0;

  /// Queues `frame` only if the bytes queued and not yet written stay at or below `limit`.
  /// For events: they need no flush(), and leave in batches.
  virtual bool try_write(std::string_view frame, std::size_t limit) = 0;

  /// Starts sending what write() and try_write() queued.
  virtual void flush() = 0;

  /// The gateway has taken `consumed_bytes` more of the bytes it was handed, and has
  /// `in_flight` calls waiting for replies: reading may resume if it was paused.
  virtual void report_progress(std::size_t consumed_bytes, std::size_t in_flight) = 0;

  /// Sends the gateway a (gw_resume_atom) after the work already queued on the connection's
  /// worker: a gateway with more requests to decode yields its worker in between.
  virtual void resume_later() = 0;

  /// Writes what is queued, then closes the connection (also when the peer never reads: after
  /// a bounded wait).
  virtual void close_after_flush() = 0;

  /// Closes the connection now, dropping what is queued; no-op after close_after_flush().
  virtual void abort() = 0;
};

/// Takes the calls a gateway decoded to the actors that answer them. The router fills in
/// `caller::reply_to`; the gateway sets the msgid and whether a reply is wanted.
class call_router {
 public:
  virtual ~call_router() = default;
  virtual void route(create_call call) = 0;
  virtual void route(room_call call) = 0;
  virtual void route(list_call call) = 0;
  /// Sends the call straight to `room`, a room actor of this node that granted direct calls.
  virtual void route_direct(const caf::actor& room, room_call call) = 0;
};

}  // namespace rooms
