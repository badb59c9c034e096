// tcp_listener: a node's client port. It accepts backend connections on the first of the
// node's reactors, hands each to the next reactor in turn, refuses those past the connection
// limit (`overloaded`), spawns one gateway actor per accepted connection, and drains them all
// when the node stops. See node/README.md, "Threads".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/fwd.hpp>

#include "actors/gateway/gateway_config.hpp"
#include "actors/gateway/io_reactor.hpp"
#include "actors/gateway/tcp_connection.hpp"
#include "protocol/result.hpp"

namespace rooms {

struct listener_config {
  std::string host = "127.0.0.1";
  /// 0 picks a free port (start() returns it).
  std::uint16_t port = 7420;
  std::size_t max_connections = 10000;
  flow_limits flow;
  /// Set: the port speaks TLS (the server's context), and plaintext clients are refused.
  std::shared_ptr<const tls_context> tls;
  /// Reports trouble that does not stop the listener (a failed accept, a refused
  /// connection). On a reactor's thread.
  std::function<void(std::string_view)> warn;
  /// Reports connections opening and closing. On a reactor's thread; may be empty.
  std::function<void(std::string_view)> debug;
};

class tcp_listener final : public io_handler {
 public:
  /// Connections go to `reactors` (which must outlive the listener), accepting to its first.
  tcp_listener(caf::actor_system& system, io_reactor_set& reactors, listener_config config);
  /// Stops without a grace period if stop() was not called.
  ~tcp_listener() override;

  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;

  /// Binds and listens; returns the bound port. Nothing is accepted before run(). Call once.
  result<std::uint16_t> bind();

  /// Starts accepting; every gateway gets `gateway`. Call once, after a successful bind().
  void run(std::shared_ptr<const gateway_config> gateway);

  /// Stops accepting, tells every connection that its input ended (each gateway answers what
  /// it received, then closes), waits up to `grace` until every answer is written, then closes
  /// the sockets. Call once, from the thread that called run(), while the reactors still run
  /// and before the actor system goes.
  void stop(std::chrono::milliseconds grace);

 private:
  /// The listening socket is readable: accept what waits. On the first reactor's thread.
  void on_ready(std::uint32_t events) override;
  void accept_failed(int error);
  void adopt(int fd, std::string peer);
  void settled(tcp_connection& connection);
  void forget(tcp_connection& connection);
  void close_acceptor();

  caf::actor_system& system_;
  io_reactor_set& reactors_;
  listener_config config_;
  std::shared_ptr<const gateway_config> gateway_;
  std::string overloaded_frame_;
  /// The listening socket; accepted on reactors_.at(0), whose thread alone touches it once
  /// run() was called.
  int listen_fd_ = -1;
  bool running_ = false;

  std::mutex mutex_;
  std::condition_variable settled_changed_;
  std::unordered_map<tcp_connection*, std::shared_ptr<tcp_connection>> connections_;
  /// How many of connections_ are settled (flushed, waiting for the peer's close).
  std::size_t settled_count_ = 0;
};

}  // namespace rooms
