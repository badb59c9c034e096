// One backend connection's socket: reads to the gateway, batched writes, flow control, close.
#include "actors/gateway/tcp_connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <fmt/format.h>
#include <caf/send.hpp>

#include "actors/gateway/gateway_actor.hpp"

namespace rooms {

namespace {

// A write buffer that grew past this is released once written, so an idle connection that
// once had a burst does not keep the burst's memory.
constexpr std::size_t retained_buffer_bytes = 1 << 20;

// Queued bytes that are sent without waiting for the end of the round.
constexpr std::size_t eager_send_bytes = 64 << 10;

// Watched once, edge-triggered: the socket reports each new arrival of bytes and each time it
// has room again after a send it could not take whole.
constexpr std::uint32_t watched_events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

constexpr std::uint32_t hangup_events = EPOLLRDHUP | EPOLLHUP | EPOLLERR;

}  // namespace

tcp_connection::tcp_connection(int fd, std::string peer, io_reactor& owner, flow_limits limits,
                               observer watcher, std::shared_ptr<const tls_context> tls)
    : owner_(owner),
      fd_(fd),
      peer_(std::move(peer)),
      limits_(limits),
      observer_(std::move(watcher)),
      tls_context_(std::move(tls)) {}

tcp_connection::~tcp_connection() {
  if (fd_ >= 0) ::close(fd_);
}

void tcp_connection::start(caf::actor gateway) { open(std::move(gateway)); }

void tcp_connection::refuse(std::string frame) {
  open(caf::actor{});
  write(frame);
  close_after_flush();
}

void tcp_connection::open(caf::actor gateway) {
  owner_.post([self = shared_from_this(), gateway = std::move(gateway)]() mutable {
    if (self->phase_ != phase::idle) {
      if (gateway) caf::anon_send(gateway, gw_closed_atom::value);
      return;
    }
    self->gateway_ = std::move(gateway);
    self->phase_ = phase::open;
    if (self->tls_context_ && !self->start_tls()) return self->close_now();
    // A socket with bytes already waiting reports them at once.
    if (!self->owner_.watch(self->fd_, self.get(), watched_events)) self->close_now();
  });
}

bool tcp_connection::start_tls() {
  auto session = tls_session::accept(*tls_context_, fd_);
  if (!session) {
    tls_failed(session.error().message);
    return false;
  }
  tls_.emplace(std::move(*session));
  // A client that never finishes its handshake does not hold the connection forever.
  owner_.run_at(io_reactor::clock::now() + limits_.handshake_timeout, [self = shared_from_this()] {
    if (self->phase_ == phase::closed || self->tls_->established()) return;
    self->tls_failed("no TLS handshake within the timeout");
    self->close_now();
  });
  return true;
}

void tcp_connection::tls_failed(std::string_view why) {
  if (observer_.warn) observer_.warn(fmt::format("TLS connection from {} refused: {}", peer_, why));
}

void tcp_connection::drain() {
  owner_.post([self = shared_from_this()] {
    if (self->phase_ == phase::open) self->end_input();
  });
}

void tcp_connection::close() {
  owner_.post([self = shared_from_this()] { self->close_now(); });
}

void tcp_connection::on_ready(std::uint32_t events) {
  auto keep_alive = shared_from_this();  // close_now may drop the listener's reference
  // A TLS step may wait for the other direction: a read for writability, a write for bytes.
  if (read_wants_write_ && (events & EPOLLOUT)) {
    read_wants_write_ = false;
    events |= EPOLLIN;
  }
  if (events & EPOLLOUT) resend_if_blocked();
  if (phase_ == phase::closed) return;
  if (events & (EPOLLIN | hangup_events)) {
    readable_ = true;
    hangup_ = hangup_ || (events & hangup_events) != 0;
    read_some();
  }
  // A TLS write may have waited for the peer's bytes (its first byte, a handshake step).
  if (tls_ && (events & EPOLLIN) && phase_ != phase::closed) resend_if_blocked();
}

void tcp_connection::resend_if_blocked() {
  bool resend = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    resend = write_blocked_;
    write_blocked_ = false;
  }
  if (resend) send_pending();
}

// -- reading ---------------------------------------------------------------------------------

void tcp_connection::read_some() {
  char* buffer = owner_.read_buffer();
  while (readable_ && phase_ != phase::closed) {
    if (phase_ == phase::open && over_limits()) {
      read_paused_ = true;
      // The gateway may have caught up between the check and the flag (see resume_if_possible).
      if (over_limits() || !read_paused_.exchange(false)) return;
      continue;
    }
    std::size_t n = 0;
    const read_outcome outcome = tls_ ? read_tls(buffer, n) : read_plain(buffer, n);
    switch (outcome) {
      case read_outcome::data:
      case read_outcome::last:
        if (phase_ == phase::open) {
          queued_bytes_ += n;
          caf::anon_send(gateway_, gw_data_atom::value, std::string(buffer, n));
        }
        if (outcome == read_outcome::last) readable_ = false;
        continue;
      case read_outcome::drained:
        readable_ = false;
        return;
      case read_outcome::broken:
        readable_ = false;
        return close_now();
      case read_outcome::end:
        readable_ = false;
        // The peer shut its write side: it still reads, so the answers go out first.
        eof_seen_ = true;
        if (phase_ == phase::open) end_input();
        if (phase_ == phase::flushed) close_now();
        return;
    }
  }
}

tcp_connection::read_outcome tcp_connection::read_plain(char* buffer, std::size_t& got) {
  while (true) {
    const ssize_t n = ::recv(fd_, buffer, io_reactor::read_buffer_size, 0);
    if (n > 0) {
      got = static_cast<std::size_t>(n);
      // A short read took all there was: bytes that come later report themselves (as nginx
      // reads edge-triggered sockets). Only the peer's end must be read for.
      return got < io_reactor::read_buffer_size && !hangup_ ? read_outcome::last
                                                            : read_outcome::data;
    }
    if (n == 0) return read_outcome::end;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? read_outcome::drained : read_outcome::broken;
  }
}

// TLS returns a record at a time: the records that arrived together go to the gateway as one
// chunk, as one recv takes them in plaintext. The session is read until it holds nothing and
// its last read of the socket was short (or it wants the socket).
tcp_connection::read_outcome tcp_connection::read_tls(char* buffer, std::size_t& got) {
  if (!tls_checked_) {
    const read_outcome checked = check_first_byte();
    if (checked != read_outcome::data) return checked;
  }
  got = 0;
  while (got < io_reactor::read_buffer_size) {
    std::size_t n = 0;
    const tls_status status = tls_->read(buffer + got, io_reactor::read_buffer_size - got, n);
    if (status == tls_status::ok) {
      got += n;
      if (tls_->drained() && !hangup_) return read_outcome::last;
      continue;
    }
    if (status == tls_status::want_write) read_wants_write_ = true;
    // What was read goes first; a closed or failed session says so again on the next read.
    if (got > 0) return status == tls_status::want_read ? read_outcome::last : read_outcome::data;
    switch (status) {
      case tls_status::want_read:
      case tls_status::want_write:
        return read_outcome::drained;
      case tls_status::closed:
        return read_outcome::end;
      case tls_status::ok:
      case tls_status::failed:
        break;
    }
    if (!tls_->established()) tls_failed(tls_->error());
    return read_outcome::broken;
  }
  return read_outcome::data;
}

tcp_connection::read_outcome tcp_connection::check_first_byte() {
  switch (peek_first_byte(fd_)) {
    case first_byte::tls:
      tls_checked_ = true;
      return read_outcome::data;
    case first_byte::plaintext:
      tls_checked_ = true;
      tls_failed("the client spoke plaintext, not TLS, on the TLS port");
      return read_outcome::broken;
    case first_byte::none_yet:
      return read_outcome::drained;
    case first_byte::closed:
      return read_outcome::end;
    case first_byte::failed:
      break;
  }
  return read_outcome::broken;
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
  owner_.post([self = shared_from_this()] {
    if (self->phase_ == phase::open) self->read_some();
  });
}

void tcp_connection::report_progress(std::size_t consumed_bytes, std::size_t in_flight) {
  queued_bytes_ -= consumed_bytes;
  in_flight_ = in_flight;
  resume_if_possible();
}

// Through the owner's posted functions, which run at its next poll: the gateway's turn comes
// after the jobs its worker already has.
void tcp_connection::resume_later() {
  owner_.post([self = shared_from_this()] {
    if (self->phase_ != phase::closed && self->gateway_)
      caf::anon_send(self->gateway_, gw_resume_atom::value);
  });
}

// -- writing ---------------------------------------------------------------------------------

void tcp_connection::write(std::string_view frame) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return;
  queue_locked(frame);
  answers_pending_ = true;
}

bool tcp_connection::try_write(std::string_view frame, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return true;
  if (outbound_bytes_ + frame.size() > limit) return false;
  // Events need no flush: they leave with the owner's paced sends, or with whatever else
  // this round sends.
  queue_locked(frame);
  schedule_paced_send_locked(io_reactor::lane::events);
  return true;
}

void tcp_connection::queue_locked(std::string_view frame) {
  pending_.append(frame);
  outbound_bytes_ += frame.size();
  // A gateway that stays busy flushes late: a large burst goes out before it is all made.
  if (pending_.size() >= eager_send_bytes) schedule_send_locked();
}

void tcp_connection::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (gone_ || pending_.empty() || !answers_pending_) return;
  // More answers are on their way: these wait for them, paced (node/README.md, "Sends").
  if (in_flight_ > 0 && !close_requested_ &&
      owner_.pace_interval(io_reactor::lane::answers) > io_reactor::clock::duration::zero())
    return schedule_paced_send_locked(io_reactor::lane::answers);
  // TLS runs on the owner's thread only.
  if (io_reactor::current() != nullptr || tls_context_ || close_requested_ || send_scheduled_ ||
      write_blocked_)
    return schedule_send_locked();
  // A worker that hosts no reactor (sockets on I/O threads): the answers leave from here, one
  // send per burst, instead of a post and a wakeup of the I/O thread. gone_ is false under
  // mutex_, so the socket is still open; what it does not take waits for its writability.
  if (!send_pending_locked()) {
    write_blocked_ = true;  // nothing more is sent; the owner closes
    lock.unlock();
    return close();
  }
  lock.unlock();
  resume_if_possible();
}

void tcp_connection::schedule_send_locked() {
  if (send_scheduled_ || write_blocked_) return;
  send_scheduled_ = true;
  if (io_reactor::current() == &owner_) return owner_.defer(shared_from_this());
  owner_.post([self = shared_from_this()] { self->send_pending(); });
}

void tcp_connection::schedule_paced_send_locked(io_reactor::lane lane) {
  bool& scheduled = lane == io_reactor::lane::events ? events_paced_ : answers_paced_;
  if (send_scheduled_ || scheduled || write_blocked_) return;
  scheduled = true;
  if (io_reactor::current() == &owner_) return owner_.defer_paced(shared_from_this(), lane);
  owner_.post([self = shared_from_this(), lane] { self->owner_.defer_paced(self, lane); });
}

void tcp_connection::run_deferred() { send_pending(); }

void tcp_connection::send_pending() {
  bool broken = false;
  bool flushed = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    send_scheduled_ = false;
    events_paced_ = false;
    answers_paced_ = false;
    answers_pending_ = false;
    if (gone_) return;
    broken = !send_pending_locked();
    flushed = !broken && close_requested_ && pending_.empty();
  }
  if (broken) return close_now();
  resume_if_possible();
  if (flushed) finish_flush();
}

bool tcp_connection::send_pending_locked() {
  if (write_blocked_) return true;  // the socket's writability sends again
  if (tls_ && !tls_checked_ && !pending_.empty()) {
    write_blocked_ = true;  // nothing goes out before the client's first byte was checked
    return true;
  }
  std::size_t sent = 0;
  while (sent < pending_.size()) {
    if (tls_) {
      std::size_t taken = 0;
      const tls_status status = tls_->write(pending_.data() + sent, pending_.size() - sent, taken);
      sent += taken;
      if (status == tls_status::ok) continue;
      if (status != tls_status::want_read && status != tls_status::want_write) return false;
      write_blocked_ = true;  // the next readiness of the socket, either way, sends again
      break;
    }
    const ssize_t n =
        ::send(fd_, pending_.data() + sent, pending_.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      write_blocked_ = true;
      break;
    } else {
      return false;
    }
  }
  outbound_bytes_ -= sent;
  if (sent == pending_.size()) {
    pending_.clear();
    if (pending_.capacity() > retained_buffer_bytes) std::string{}.swap(pending_);
  } else {
    pending_.erase(0, sent);
  }
  return true;
}

// -- closing ---------------------------------------------------------------------------------

void tcp_connection::close_after_flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_ || gone_) return;
  close_requested_ = true;
  owner_.post([self = shared_from_this()] {
    if (self->phase_ == phase::closed) return;
    self->arm_timer(self->limits_.flush_timeout);
    self->send_pending();
  });
}

void tcp_connection::abort() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (close_requested_) return;
  owner_.post([self = shared_from_this()] { self->close_now(); });
}

void tcp_connection::finish_flush() {
  if (phase_ == phase::closed || phase_ == phase::flushed) return;
  phase_ = phase::flushed;
  if (tls_) tls_->shutdown();
  ::shutdown(fd_, SHUT_WR);
  // Reading on until the peer's end (or the timer) avoids a reset that could destroy the last
  // answers before the peer has read them.
  arm_timer(limits_.linger_timeout);
  settled_ = true;
  if (observer_.on_flushed) observer_.on_flushed(*this);
  if (eof_seen_) return close_now();
  read_some();
}

void tcp_connection::arm_timer(std::chrono::milliseconds timeout) {
  const std::uint64_t generation = ++timer_generation_;
  owner_.run_at(io_reactor::clock::now() + timeout, [self = shared_from_this(), generation] {
    if (self->timer_generation_ == generation) self->close_now();
  });
}

void tcp_connection::close_now() {
  if (phase_ == phase::closed) return;
  const bool watched = phase_ != phase::idle;
  phase_ = phase::closed;
  auto keep_alive = shared_from_this();  // on_closed may drop the listener's reference
  {
    std::lock_guard<std::mutex> lock(mutex_);
    gone_ = true;
    pending_.clear();
  }
  ++timer_generation_;
  if (watched) owner_.unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
  if (gateway_) caf::anon_send(gateway_, gw_closed_atom::value);
  gateway_ = caf::actor{};
  if (observer_.on_closed) observer_.on_closed(*this);
}

}  // namespace rooms
