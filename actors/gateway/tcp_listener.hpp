// tcp_listener: a node's client port. It owns the I/O threads (one Boost.Asio io_context
// each), accepts backend connections, refuses those past the connection limit (`overloaded`),
// spawns one gateway actor per accepted connection, and drains them all when the node stops.
// See node/README.md, "Threads".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/fwd.hpp>

#include "actors/gateway/gateway_config.hpp"
#include "actors/gateway/tcp_connection.hpp"
#include "protocol/result.hpp"

namespace rooms {

struct listener_config {
  std::string host = "127.0.0.1";
  /// 0 picks a free port (start() returns it).
  std::uint16_t port = 7420;
  std::size_t io_threads = 1;
  std::size_t max_connections = 10000;
  flow_limits flow;
  /// Reports trouble that does not stop the listener (a failed accept, a refused
  /// connection). Any I/O thread.
  std::function<void(std::string_view)> warn;
  /// Reports connections opening and closing. Any I/O thread; may be empty.
  std::function<void(std::string_view)> debug;
};

class tcp_listener {
 public:
  tcp_listener(caf::actor_system& system, listener_config config);
  /// Stops without a grace period if stop() was not called.
  ~tcp_listener();

  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;

  /// Binds and listens; returns the bound port. Nothing is accepted before run(). Call once.
  result<std::uint16_t> bind();

  /// Starts the I/O threads and accepting; every gateway gets `gateway`. Call once, after a
  /// successful bind().
  void run(std::shared_ptr<const gateway_config> gateway);

  /// Stops accepting, tells every connection that its input ended (each gateway answers what
  /// it received, then closes), waits up to `grace` until every answer is written, closes the
  /// sockets and joins the I/O threads. Call once, from the thread that called start(), before the
  /// actor system goes.
  void stop(std::chrono::milliseconds grace);

 private:
  using tcp = boost::asio::ip::tcp;
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  void accept_next();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void adopt(tcp::socket socket);
  void settled(tcp_connection& connection);
  void forget(tcp_connection& connection);
  void close_acceptor();
  boost::asio::io_context& next_context();

  caf::actor_system& system_;
  listener_config config_;
  std::shared_ptr<const gateway_config> gateway_;
  std::string overloaded_frame_;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<work_guard> guards_;
  std::vector<std::thread> threads_;
  // The acceptor and its retry timer live on contexts_[0]'s thread.
  std::optional<tcp::acceptor> acceptor_;
  std::optional<boost::asio::steady_timer> retry_timer_;
  std::size_t next_context_ = 0;
  bool running_ = false;

  std::mutex mutex_;
  std::condition_variable settled_changed_;
  std::unordered_map<tcp_connection*, std::shared_ptr<tcp_connection>> connections_;
  /// How many of connections_ are settled (flushed, waiting for the peer's close).
  std::size_t settled_count_ = 0;
};

}  // namespace rooms
