// One backend connection's socket: reads to the gateway, batched writes, flow control, close.
#include "actors/gateway/tcp_connection.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/send.hpp>

#include "actors/gateway/gateway_actor.hpp"

namespace rooms {

namespace {

// A write buffer that grew past this is released once written, so an idle connection that
// once had a burst does not keep the burst's memory.
constexpr std::size_t retained_buffer_bytes = 1 << 20;

// Queued bytes that are sent without waiting for the gateway's flush.
constexpr std::size_t eager_send_bytes = 64 << 10;

}  // namespace

tcp_connection::tcp_connection(tcp::socket socket, flow_limits limits, observer watcher)
    : socket_(std::move(socket)),
      timer_(std::in_place, socket_->get_executor()),
      executor_(socket_->get_executor()),
      native_socket_(socket_->native_handle()),
      limits_(limits),
      observer_(std::move(watcher)) {}

template <class F>
void tcp_connection::on_io_thread(F f) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_io_thread_locked(std::move(f));
}

template <class F>
void tcp_connection::on_io_thread_locked(F f) {
  if (gone_) return;
  boost::asio::post(executor_,
                    [self = shared_from_this(), f = std::move(f)]() mutable { f(*self); });
}

void tcp_connection::start(caf::actor gateway) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (gone_) return caf::anon_send(gateway, gw_closed_atom::value);
  on_io_thread_locked([gateway = std::move(gateway)](tcp_connection& c) mutable {
    if (c.phase_ == phase::closed) return caf::anon_send(gateway, gw_closed_atom::value);
    c.gateway_ = std::move(gateway);
    if (c.phase_ == phase::open && !c.read_active_) c.read_some();
  });
}

void tcp_connection::refuse(std::string frame) {
  write(frame);
  close_after_flush();
}

void tcp_connection::drain() {
  on_io_thread([](tcp_connection& c) {
    if (c.phase_ == phase::open) c.end_input();
  });
}

void tcp_connection::close_stopped() { close_now(); }

// -- reading ---------------------------------------------------------------------------------

void tcp_connection::read_some() {
  read_active_ = true;
  socket_->async_read_some(boost::asio::buffer(read_buffer_),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->on_read(ec, n); });
}

void tcp_connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  read_active_ = false;
  if (phase_ == phase::closed) return;
  if (ec == boost::asio::error::eof) {
    // The peer shut its write side: it still reads, so the answers go out first.
    if (phase_ == phase::open) end_input();
    if (phase_ == phase::flushed) close_now();
    return;
  }
  if (ec) return close_now();
  if (phase_ != phase::open) return read_some();  // draining or lingering: discard
  queued_bytes_ += n;
  caf::anon_send(gateway_, gw_data_atom::value, std::string(read_buffer_.data(), n));
  if (!over_limits()) return read_some();
  read_paused_ = true;
  // The gateway may have caught up between the check and the flag (see resume_if_possible).
  if (!over_limits() && read_paused_.exchange(false)) read_some();
}

void tcp_connection::end_input() {
  phase_ = phase::draining;
  if (gateway_) caf::anon_send(gateway_, gw_eof_atom::value);
}

bool tcp_connection::over_limits() const {
  return queued_bytes_ > limits_.max_queued_bytes || in_flight_ >= limits_.max_in_flight ||
         outbound_bytes_ > limits_.max_outbound_bytes;
}

// Both sides first store their own variable, then read the other's (sequentially consistent):
// either the reader sees the drained counters or the drainer sees the pause; the exchange lets
// exactly one of them resume.
void tcp_connection::resume_if_possible() {
  if (!read_paused_ || over_limits() || !read_paused_.exchange(false)) return;
  on_io_thread([](tcp_connection& c) {
    if (c.phase_ == phase::open && !c.read_active_) c.read_some();
  });
}

void tcp_connection::report_progress(std::size_t consumed_bytes, std::size_t in_flight) {
  queued_bytes_ -= consumed_bytes;
  in_flight_ = in_flight;
  resume_if_possible();
}

// -- writing ---------------------------------------------------------------------------------

void tcp_connection::write(std::string_view frame) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return;
  queue_locked(frame);
}

bool tcp_connection::try_write(std::string_view frame, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return true;
  if (outbound_bytes_ + frame.size() > limit) return false;
  // Events go out through the I/O thread, which takes all that came meanwhile in one write:
  // a subscriber's gateway gets events one at a time, and a send for each would cost more
  // system calls than the wakeup of the I/O thread that this costs.
  queue_locked(frame);
  queue_write_locked();
  return true;
}

void tcp_connection::queue_locked(std::string_view frame) {
  pending_.append(frame);
  outbound_bytes_ += frame.size();
  // A gateway that stays busy flushes late: a large burst goes out before it is all made.
  if (pending_.size() >= eager_send_bytes) send_pending_locked();
}

void tcp_connection::flush() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (gone_ || pending_.empty()) return;
    send_pending_locked();
  }
  resume_if_possible();
}

void tcp_connection::send_pending_locked() {
  if (write_active_) return;  // the running write picks the bytes up when it completes
  // Nothing is being written, so the bytes may go out now, from the calling thread: a reply
  // then costs one send, not a post and a wakeup of the I/O thread. gone_ is false under
  // mutex_, so the socket is still open. What the socket does not take now (or an error, which
  // the I/O thread's write then meets and handles) goes through the I/O thread.
  const std::size_t sent = send_now(pending_);
  outbound_bytes_ -= sent;
  pending_.erase(0, sent);
  if (!pending_.empty()) queue_write_locked();
}

std::size_t tcp_connection::send_now(std::string_view bytes) {
  const ssize_t n = ::send(native_socket_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void tcp_connection::queue_write_locked() {
  if (write_active_) return;  // the running write picks the new bytes up when it completes
  write_active_ = true;
  on_io_thread_locked([](tcp_connection& c) { c.write_queued(); });
}

void tcp_connection::write_queued() {
  bool flushed = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.empty()) {
      write_active_ = false;
      flushed = close_requested_;
    } else {
      writing_.swap(pending_);
    }
  }
  if (phase_ == phase::closed) return;
  if (flushed) return finish_flush();
  if (writing_.empty()) return;
  boost::asio::async_write(*socket_, boost::asio::buffer(writing_),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->on_written(ec, n); });
}

void tcp_connection::on_written(const boost::system::error_code& ec, std::size_t) {
  outbound_bytes_ -= writing_.size();
  if (writing_.capacity() > retained_buffer_bytes) std::string{}.swap(writing_);
  writing_.clear();
  if (ec) return close_now();
  resume_if_possible();
  write_queued();
}

// -- closing ---------------------------------------------------------------------------------

void tcp_connection::close_after_flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return;
  close_requested_ = true;
  // Armed before the flush is queued, so the linger timer the flush arms replaces it.
  on_io_thread_locked([](tcp_connection& c) {
    if (c.phase_ != phase::closed) c.arm_timer(c.limits_.flush_timeout);
  });
  queue_write_locked();
}

void tcp_connection::abort() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_) return;
  on_io_thread_locked([](tcp_connection& c) { c.close_now(); });
}

void tcp_connection::finish_flush() {
  if (phase_ == phase::closed || phase_ == phase::flushed) return;
  phase_ = phase::flushed;
  boost::system::error_code ignored;
  socket_->shutdown(tcp::socket::shutdown_send, ignored);
  // Reading on until the peer's end (or the timer) avoids a reset that could destroy the last
  // answers before the peer has read them.
  arm_timer(limits_.linger_timeout);
  if (!read_active_) read_some();
  settled_ = true;
  if (observer_.on_flushed) observer_.on_flushed(*this);
}

void tcp_connection::arm_timer(std::chrono::milliseconds timeout) {
  timer_->expires_after(timeout);
  timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->close_now();
  });
}

void tcp_connection::close_now() {
  if (phase_ == phase::closed) return;
  phase_ = phase::closed;
  auto keep_alive = shared_from_this();  // on_closed may drop the listener's reference
  {
    std::lock_guard<std::mutex> lock(mutex_);
    gone_ = true;
    pending_.clear();
  }
  boost::system::error_code ignored;
  timer_->cancel(ignored);
  socket_->close(ignored);
  // Pending handlers see operation_aborted and the closed phase; none touches these again.
  timer_.reset();
  socket_.reset();
  if (gateway_) caf::anon_send(gateway_, gw_closed_atom::value);
  gateway_ = caf::actor{};
  if (observer_.on_closed) observer_.on_closed(*this);
}

}  // namespace rooms
