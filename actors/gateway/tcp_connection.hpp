// tcp_connection: one backend's TCP socket, owned by an I/O thread (Boost.Asio). It hands the
// bytes it reads to its gateway actor, writes the frames the gateway queues in batches, and
// stops reading while the gateway is behind (TCP flow control). See node/README.md, "Threads".
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/actor.hpp>

#include "actors/gateway/connection_link.hpp"

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
};

class tcp_connection final : public connection_link,
                             public std::enable_shared_from_this<tcp_connection> {
 public:
  using tcp = boost::asio::ip::tcp;

  /// What the listener hears about a connection, on its I/O thread.
  struct observer {
    /// Everything the gateway queued is written and the write side is shut down.
    std::function<void(tcp_connection&)> on_flushed;
    /// The socket is closed (called once).
    std::function<void(tcp_connection&)> on_closed;
  };

  tcp_connection(tcp::socket socket, flow_limits limits, observer watcher);

  /// True once the connection is flushed or closed: nothing the gateway queued is pending.
  bool settled() const { return settled_; }

  /// Starts reading; chunks go to `gateway` as (gw_data_atom, bytes). Any thread.
  void start(caf::actor gateway);
  /// A connection past the node's limit: writes `frame`, then closes. No gateway. Any thread.
  void refuse(std::string frame);
  /// The node is stopping: read nothing more and tell the gateway (gw_eof_atom). Any thread.
  void drain();
  /// Closes at once; only after the I/O threads have stopped (the node's last step).
  void close_stopped();

  // connection_link, called by the gateway actor.
  void write(std::string_view frame) override;
  bool try_write(std::string_view frame, std::size_t limit) override;
  void flush() override;
  void report_progress(std::size_t consumed_bytes, std::size_t in_flight) override;
  void close_after_flush() override;
  void abort() override;

 private:
  /// I/O-thread state of the read side.
  enum class phase {
    open,      // bytes go to the gateway
    draining,  // the gateway was told the input ended; bytes are discarded
    flushed,   // all written and the write side shut down; waiting for the peer's end
    closed,
  };

  /// Runs `f` on the I/O thread unless the connection is gone. Any thread.
  template <class F>
  void on_io_thread(F f);
  /// The same, with mutex_ held by the caller.
  template <class F>
  void on_io_thread_locked(F f);
  void read_some();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void end_input();
  bool over_limits() const;
  void resume_if_possible();
  /// Appends `frame` to the bytes waiting for flush(); mutex_ held by the caller.
  void queue_locked(std::string_view frame);
  /// Sends the waiting bytes now unless a write runs; what the socket does not take goes
  /// through the I/O thread. mutex_ held by the caller.
  void send_pending_locked();
  /// A non-blocking send on any thread: the bytes the socket took (0 on any error).
  std::size_t send_now(std::string_view bytes);
  /// Posts a write unless one is running; mutex_ held by the caller.
  void queue_write_locked();
  void write_queued();
  void on_written(const boost::system::error_code& ec, std::size_t n);
  void finish_flush();
  void arm_timer(std::chrono::milliseconds timeout);
  void close_now();

  // The socket and the timer are released when the connection closes, on the thread that owns
  // them, while their io_context surely exists: a gateway actor may keep this object longer.
  std::optional<tcp::socket> socket_;
  std::optional<boost::asio::steady_timer> timer_;
  const boost::asio::any_io_executor executor_;
  /// The socket's descriptor, for sends from the gateway's thread (send_now).
  const int native_socket_;
  const flow_limits limits_;
  observer observer_;

  // I/O thread only.
  caf::actor gateway_;
  phase phase_ = phase::open;
  bool read_active_ = false;
  std::string writing_;
  std::array<char, 64 * 1024> read_buffer_;

  // Guarded by mutex_. Nothing is posted to the I/O thread once gone_ is set, so that posting
  // never races with the destruction of the io_context after the node stopped.
  std::mutex mutex_;
  std::string pending_;
  bool write_active_ = false;
  bool close_requested_ = false;
  bool gone_ = false;

  // Flow control, shared by the I/O thread and the gateway (see resume_if_possible).
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> outbound_bytes_{0};
  std::atomic<bool> read_paused_{false};
  std::atomic<bool> settled_{false};
};

}  // namespace rooms
