// tcp_connection: one backend's TCP socket, owned by one io_reactor: only the reactor's thread
// reads and writes it. It hands the bytes it reads to its gateway actor, writes the frames the
// gateway queues in batches, and stops reading while the gateway is behind (TCP flow control).
// On a TLS port the same thread runs the connection's TLS session: the handshake, decryption
// and encryption (docs/security.md). See node/README.md, "Threads".
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <caf/actor.hpp>

#include "actors/gateway/connection_link.hpp"
#include "actors/gateway/io_reactor.hpp"
#include "protocol/tls/tls.hpp"

namespace rooms {

/// When a connection stops reading.
struct flow_limits {
  /// Bytes handed to the gateway and not yet decoded.
  std::size_t max_queued_bytes = 1 << 20;
  /// Calls the gateway waits on.
  std::size_t max_in_flight = 4096;
  /// Bytes queued for writing (the peer does not read its answers).
  std::size_t max_outbound_bytes = 16 << 20;
  /// How long a closing connection may take to write what is queued.
  std::chrono::milliseconds flush_timeout{5000};
  /// How long a closed-for-writing connection waits for the peer's end before closing.
  std::chrono::milliseconds linger_timeout{2000};
  /// How long a TLS client may take to finish its handshake.
  std::chrono::milliseconds handshake_timeout{30000};
};

class tcp_connection final : public connection_link,
                             public io_handler,
                             public io_deferred,
                             public std::enable_shared_from_this<tcp_connection> {
 public:
  /// What the listener hears about a connection, on the connection's reactor thread.
  struct observer {
    /// Everything the gateway queued is written and the write side is shut down.
    std::function<void(tcp_connection&)> on_flushed;
    /// The socket is closed (called once).
    std::function<void(tcp_connection&)> on_closed;
    /// Why a TLS connection was refused (a plaintext client, a failed handshake).
    std::function<void(std::string_view)> warn;
  };

  /// Takes `fd`, a connected non-blocking socket from `peer`; `owner` reads and writes it.
  /// With `tls`, the connection speaks TLS as the server of that context.
  tcp_connection(int fd, std::string peer, io_reactor& owner, flow_limits limits, observer watcher,
                 std::shared_ptr<const tls_context> tls = nullptr);
  ~tcp_connection() override;

  /// True once the connection is flushed or closed: nothing the gateway queued is pending.
  bool settled() const { return settled_; }

  /// Starts reading; chunks go to `gateway` as (gw_data_atom, bytes). Any thread.
  void start(caf::actor gateway);
  /// A connection past the node's limit: writes `frame`, then closes. No gateway. Any thread.
  void refuse(std::string frame);
  /// The node is stopping: read nothing more and tell the gateway (gw_eof_atom). Any thread.
  void drain();
  /// Closes at once, on the reactor's thread. Any thread.
  void close();

  // connection_link, called by the gateway actor (any worker).
  void write(std::string_view frame) override;
  bool try_write(std::string_view frame, std::size_t limit) override;
  void flush() override;
  void report_progress(std::size_t consumed_bytes, std::size_t in_flight) override;
  void resume_later() override;
  void close_after_flush() override;
  void abort() override;

  // io_handler and io_deferred: the owner's thread.
  void on_ready(std::uint32_t events) override;
  void run_deferred() override;

 private:
  /// Owner-thread state of the read side.
  enum class phase {
    idle,      // not watched yet
    open,      // bytes go to the gateway
    draining,  // the gateway was told the input ended; bytes are discarded
    flushed,   // all written and the write side shut down; waiting for the peer's end
    closed,
  };

  /// What one read did.
  enum class read_outcome {
    data,     // bytes in the buffer; there may be more
    last,     // bytes in the buffer, and the socket had no more
    drained,  // nothing now: the socket reports the next bytes
    end,      // the peer's end
    broken,   // an error: close
  };

  void open(caf::actor gateway);
  /// Makes the TLS session and arms its handshake timeout; false (reported) if it cannot.
  bool start_tls();
  void read_some();
  read_outcome read_plain(char* buffer, std::size_t& got);
  read_outcome read_tls(char* buffer, std::size_t& got);
  /// The first bytes of a TLS connection must be a handshake record: anything else is a
  /// plaintext client on a TLS port.
  read_outcome check_first_byte();
  void tls_failed(std::string_view why);
  void end_input();
  bool over_limits() const;
  void resume_if_possible();
  /// Appends `frame` to the bytes waiting to be sent; mutex_ held by the caller.
  void queue_locked(std::string_view frame);
  /// Has the owner send the queued bytes: at the end of its round if the caller runs on it,
  /// else through a post. mutex_ held by the caller.
  void schedule_send_locked();
  /// The same for events, and for answers while more calls are in flight: the owner sends them
  /// with its paced work of that lane (io_reactor::defer_paced), unless a prompt send is
  /// scheduled anyway.
  void schedule_paced_send_locked(io_reactor::lane lane);
  /// Sends what the socket takes; owner thread, mutex_ held. False on a broken socket.
  bool send_pending_locked();
  void send_pending();
  /// Sends again what a full socket (or a TLS step) held back.
  void resend_if_blocked();
  void finish_flush();
  void arm_timer(std::chrono::milliseconds timeout);
  void close_now();

  io_reactor& owner_;
  int fd_;
  const std::string peer_;
  const flow_limits limits_;
  observer observer_;
  /// Set for a connection on a TLS port; its session is tls_.
  const std::shared_ptr<const tls_context> tls_context_;

  // Owner thread only.
  caf::actor gateway_;
  phase phase_ = phase::idle;
  /// The socket may hold bytes not read yet (edge-triggered: read until it says so).
  bool readable_ = false;
  /// The socket reported the peer's end or an error: read until recv says which.
  bool hangup_ = false;
  /// The peer's end was read.
  bool eof_seen_ = false;
  /// Bumped to cancel the armed timer.
  std::uint64_t timer_generation_ = 0;
  /// The TLS session on a TLS port (made when the connection opens); sends run under mutex_,
  /// on this thread too.
  std::optional<tls_session> tls_;
  /// The first byte was checked to be a TLS handshake record.
  bool tls_checked_ = false;
  /// TLS wants the socket writable before it can read on (a handshake step).
  bool read_wants_write_ = false;

  // Guarded by mutex_.
  std::mutex mutex_;
  std::string pending_;
  /// A send is scheduled (deferred or posted) and has not run yet.
  bool send_scheduled_ = false;
  /// A paced send of either lane is scheduled and has not run yet. Any send takes everything
  /// pending, so one that finds nothing left costs no system call.
  bool events_paced_ = false;
  bool answers_paced_ = false;
  /// write() queued bytes that flush() must send promptly (events alone wait for the pace).
  bool answers_pending_ = false;
  /// The socket took less than offered: the owner sends again when it is writable.
  bool write_blocked_ = false;
  bool close_requested_ = false;
  bool gone_ = false;

  // Flow control, shared by the owner and the gateway (see resume_if_possible).
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> outbound_bytes_{0};
  std::atomic<bool> read_paused_{false};
  std::atomic<bool> settled_{false};
};

}  // namespace rooms
