// The cluster port over mutual TLS: a stream policy that runs a tls_session, the scribe and the
// doorman that use it, and the middleman actor that opens them for BASP.
#include "actors/cluster/tls_middleman_actor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <caf/actor_system.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor_impl.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/doorman_impl.hpp>
#include <caf/io/network/native_socket.hpp>
#include <caf/io/network/stream_impl.hpp>

namespace rooms {

namespace {

namespace net = caf::io::network;
using net::native_socket;
using net::rw_state;

std::string peer_of(native_socket fd) {
  auto address = net::remote_addr_of_fd(fd);
  auto port = net::remote_port_of_fd(fd);
  if (!address || !port) return "an unknown address";
  return fmt::format("{}:{}", *address, *port);
}

std::string host_of(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

// The refusals a node logs: the first of each kind per peer host, then one line per minute
// that counts the rest (a refused peer retries every half second).
class refusal_log {
 public:
  explicit refusal_log(std::function<void(std::string_view)> warn) : warn_(std::move(warn)) {}

  /// Logs `line` unless a line of the same `kind` (peer host and cause) was logged within the
  /// last minute.
  void report(const std::string& kind, const std::string& line) {
    if (!warn_) return;
    const auto now = std::chrono::steady_clock::now();
    std::size_t repeats = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto [entry, fresh] = seen_.try_emplace(kind, seen{now, 0});
      if (!fresh && now - entry->second.logged < quiet_period) {
        ++entry->second.repeats;
        return;
      }
      repeats = std::exchange(entry->second.repeats, 0);
      entry->second.logged = now;
      if (seen_.size() > max_entries) seen_.clear();  // bounded, whoever knocks
    }
    warn_(repeats == 0 ? line
                       : fmt::format("{} ({} more like it in the last minute)", line, repeats));
  }

 private:
  static constexpr std::chrono::minutes quiet_period{1};
  static constexpr std::size_t max_entries = 4096;
  struct seen {
    std::chrono::steady_clock::time_point logged;
    std::size_t repeats;
  };

  std::function<void(std::string_view)> warn_;
  std::mutex mutex_;
  std::unordered_map<std::string, seen> seen_;
};

struct transport {
  explicit transport(tls_middleman_config config)
      : context(std::move(config.context)),
        node_names(std::move(config.node_names)),
        refusals(std::move(config.warn)) {}

  /// Whether `session`'s peer presented the certificate of a node of the cluster.
  bool admits(const tls_session& session) const {
    return std::any_of(node_names.begin(), node_names.end(),
                       [&](const std::string& name) { return session.peer_named(name); });
  }

  const std::shared_ptr<const tls_context> context;
  const std::vector<std::string> node_names;
  refusal_log refusals;
};
using shared_transport = std::shared_ptr<transport>;

// TLS over a stream's socket, in the terms of CAF's stream: `success` with 0 bytes means "wait
// for the socket", `indeterminate` "nothing to write", `failure` closes the connection (BASP
// then drops the peer).
//
// BASP's acceptor writes its handshake at once, before TLS is up. Those bytes are held here and
// sent when the TLS handshake completes, so that the stream does not poll a writable socket
// while the peer has not spoken (a silent client would make it spin).
class tls_stream_policy {
 public:
  tls_stream_policy(tls_session session, shared_transport shared, bool accepted, std::string peer)
      : session_(std::move(session)),
        shared_(std::move(shared)),
        peer_(std::move(peer)),
        accepted_(accepted),
        checked_(!accepted) {}

  rw_state read_some(std::size_t& result, native_socket fd, void* data, std::size_t size) {
    result = 0;
    if (!checked_) {
      const rw_state first = check_first_byte(fd);
      if (!checked_) return first;
    }
    const tls_status status = session_.read(static_cast<char*>(data), size, result);
    if (!admitted()) return rw_state::failure;
    if (!held_.empty() && session_.established() && send_held() == rw_state::failure)
      return rw_state::failure;
    return settle(status, rw_state::success);
  }

  rw_state write_some(std::size_t& result, native_socket fd, const void* data, std::size_t size) {
    result = 0;
    if (!checked_ && check_first_byte(fd) == rw_state::failure) return rw_state::failure;
    if (checked_ && !session_.established()) {
      const tls_status step = session_.handshake();
      if (step == tls_status::failed || step == tls_status::closed) return settle(step, {});
      if (!admitted()) return rw_state::failure;
    }
    if (!session_.established()) {
      if (size == 0) return rw_state::indeterminate;  // the peer's bytes drive the handshake
      if (held_.size() + size > max_held_bytes) return rw_state::success;
      held_.append(static_cast<const char*>(data), size);
      result = size;
      return rw_state::success;
    }
    if (!held_.empty()) {
      const rw_state sent = send_held();
      if (sent != rw_state::success || !held_.empty()) return sent;
    }
    if (size == 0) return rw_state::indeterminate;
    return settle(session_.write(static_cast<const char*>(data), size, result), rw_state::success);
  }

  /// Decrypted bytes wait inside the session, where the socket's readiness does not show them.
  bool must_read_more(native_socket, std::size_t) { return session_.has_pending(); }

 private:
  // Once the handshake is done: whether the peer's certificate names a node of the cluster.
  // Checked before any of the peer's bytes reach BASP.
  bool admitted() {
    if (identity_checked_ || !session_.established()) return true;
    identity_checked_ = true;
    identity_ok_ = shared_->admits(session_);
    if (identity_ok_) return true;
    report(
        fmt::format("its certificate, though signed by the cluster's CA, names none of the "
                    "cluster's nodes ({})",
                    fmt::join(shared_->node_names, ", ")));
    return false;
  }

  // What BASP wrote before TLS was up; `success` also when the socket took only part.
  rw_state send_held() {
    std::size_t sent = 0;
    const tls_status status = session_.write(held_.data(), held_.size(), sent);
    held_.erase(0, sent);
    return settle(status, rw_state::success);
  }

  rw_state settle(tls_status status, rw_state on_want_read) {
    switch (status) {
      case tls_status::ok:
      case tls_status::want_write:
        return rw_state::success;
      case tls_status::want_read:
        return on_want_read;
      case tls_status::closed:
        return rw_state::failure;
      case tls_status::failed:
        report(session_.error());
        return rw_state::failure;
    }
    return rw_state::failure;
  }

  // On an accepted connection: a peer that does not begin with a TLS handshake is refused at
  // once (a node without cluster TLS, or anything else that found the port).
  rw_state check_first_byte(native_socket fd) {
    switch (peek_first_byte(fd)) {
      case first_byte::tls:
        checked_ = true;
        return rw_state::success;
      case first_byte::plaintext:
        checked_ = true;
        report("it spoke plaintext, not TLS (a node without cluster TLS?)");
        return rw_state::failure;
      case first_byte::none_yet:
        return rw_state::success;
      case first_byte::closed:
      case first_byte::failed:
        break;
    }
    return rw_state::failure;
  }

  // Says why the connection ends: a refusal while the peer is not admitted yet (on the side
  // that accepted it, "refused"), a failure afterwards.
  void report(std::string_view why) {
    if (reported_) return;
    reported_ = true;
    const bool admitting = !session_.established() || !identity_checked_ || !identity_ok_;
    const std::string line =
        !admitting  ? fmt::format("cluster TLS connection with {} failed: {}", peer_, why)
        : accepted_ ? fmt::format("cluster connection from {} refused: {}", peer_, why)
                    : fmt::format("cluster TLS handshake with {} failed: {}", peer_, why);
    shared_->refusals.report(fmt::format("{} {} {}", accepted_, host_of(peer_), why), line);
  }

  static constexpr std::size_t max_held_bytes = 64 << 10;

  tls_session session_;
  shared_transport shared_;
  const std::string peer_;
  const bool accepted_;
  bool checked_;
  bool identity_checked_ = false;
  bool identity_ok_ = false;
  bool reported_ = false;
  std::string held_;
};

// A connection of the BASP broker whose bytes pass through TLS.
class tls_scribe final : public caf::io::scribe {
 public:
  tls_scribe(net::default_multiplexer& mpx, native_socket fd, tls_stream_policy policy)
      : scribe(net::conn_hdl_from_socket(fd)), stream_(mpx, fd, std::move(policy)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (launched_) return;
    launched_ = true;
    stream_.start(this);
    // The handshake starts now, not with BASP's first message.
    stream_.force_empty_write(this);
  }
  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }
  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }
  void flush() override { stream_.flush(this); }
  std::string addr() const override {
    auto address = net::remote_addr_of_fd(stream_.fd());
    return address ? *address : std::string{};
  }
  std::uint16_t port() const override {
    auto port = net::remote_port_of_fd(stream_.fd());
    return port ? *port : 0;
  }
  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

 private:
  bool launched_ = false;
  net::stream_impl<tls_stream_policy> stream_;
};

// Makes the scribe of a connected or accepted socket, or closes the socket and says why.
caf::expected<caf::io::scribe_ptr> tls_connection(net::default_multiplexer& mpx, native_socket fd,
                                                  const shared_transport& shared, bool accepted) {
  net::nonblocking(fd, true);
  net::tcp_nodelay(fd, true);
  std::string peer = peer_of(fd);
  auto session = accepted ? tls_session::accept(*shared->context, fd)
                          : tls_session::connect(*shared->context, fd, {});
  if (!session) {
    shared->refusals.report(host_of(peer),
                            fmt::format("cluster TLS with {}: {}", peer, session.error().message));
    net::close_socket(fd);
    return caf::sec::cannot_connect_to_node;
  }
  return caf::io::scribe_ptr{caf::make_counted<tls_scribe>(
      mpx, fd, tls_stream_policy{std::move(*session), shared, accepted, std::move(peer)})};
}

class tls_doorman final : public net::doorman_impl {
 public:
  tls_doorman(net::default_multiplexer& mpx, native_socket fd, shared_transport config)
      : doorman_impl(mpx, fd), config_(std::move(config)) {}

  bool new_connection() override {
    if (detached()) return false;  // the broker let go while the socket still reported
    auto& mpx = acceptor_.backend();
    auto scribe = tls_connection(mpx, acceptor_.accepted_socket(), config_, true);
    if (!scribe) return false;
    auto handle = (*scribe)->hdl();
    parent()->add_scribe(std::move(*scribe));
    return doorman::new_connection(&mpx, handle);
  }

 private:
  shared_transport config_;
};

class tls_middleman final : public caf::io::middleman_actor_impl {
 public:
  tls_middleman(caf::actor_config& cfg, caf::actor broker, shared_transport config)
      : middleman_actor_impl(cfg, std::move(broker)), config_(std::move(config)) {}

  const char* name() const override { return "rooms_tls_middleman"; }

 protected:
  caf::expected<caf::io::scribe_ptr> connect(const std::string& host, std::uint16_t port) override {
    auto fd = net::new_tcp_connection(host, port);
    if (!fd) return std::move(fd.error());
    return tls_connection(mpx(), *fd, config_, false);
  }

  caf::expected<caf::io::doorman_ptr> open(std::uint16_t port, const char* address,
                                           bool reuse) override {
    auto fd = net::new_tcp_acceptor_impl(port, address, reuse);
    if (!fd) return std::move(fd.error());
    return caf::io::doorman_ptr{caf::make_counted<tls_doorman>(mpx(), *fd, config_)};
  }

 private:
  net::default_multiplexer& mpx() {
    return static_cast<net::default_multiplexer&>(system().middleman().backend());
  }

  shared_transport config_;
};

}  // namespace

caf::io::middleman_actor spawn_tls_middleman(caf::actor_system& system,
                                             tls_middleman_config config) {
  auto broker = system.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  auto shared = std::make_shared<transport>(std::move(config));
  return system.spawn<tls_middleman, caf::detached + caf::hidden>(std::move(broker),
                                                                  std::move(shared));
}

}  // namespace rooms
