// The client port: I/O threads, accepting, the connection limit, and draining at stop.
#include "actors/gateway/tcp_listener.hpp"

#include <pthread.h>

#include <future>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>

#include "actors/gateway/gateway_actor.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

// After a failed accept (e.g. out of file descriptors) the next one waits this long, instead
// of spinning on the same error.
constexpr std::chrono::milliseconds accept_retry_delay{100};

rooms_error listen_error(std::string message) {
  return {error_code::unavailable, std::move(message)};
}

std::string describe_peer(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return "a connection";
  return fmt::format("{}:{}", peer.address().to_string(), peer.port());
}

}  // namespace

tcp_listener::tcp_listener(caf::actor_system& system, listener_config config)
    : system_(system), config_(std::move(config)) {
  overloaded_frame_ = encode_error_notification(
      {error_code::overloaded,
       fmt::format("the node serves at most {} connections", config_.max_connections)});
  for (std::size_t i = 0; i < std::max<std::size_t>(config_.io_threads, 1); ++i)
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

tcp_listener::~tcp_listener() { stop(std::chrono::milliseconds{0}); }

void tcp_listener::run(std::shared_ptr<const gateway_config> gateway) {
  gateway_ = std::move(gateway);
  retry_timer_.emplace(*contexts_[0]);
  accept_next();
  for (auto& context : contexts_) {
    guards_.push_back(boost::asio::make_work_guard(*context));
    threads_.emplace_back([ctx = context.get()] {
      ::pthread_setname_np(::pthread_self(), "rooms.io");
      ctx->run();
    });
  }
  running_ = true;
}

result<std::uint16_t> tcp_listener::bind() {
  boost::system::error_code ec;
  tcp::resolver resolver(*contexts_[0]);
  auto endpoints = resolver.resolve(config_.host, std::to_string(config_.port),
                                    tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return listen_error(fmt::format("cannot resolve '{}': {}", config_.host, ec.message()));
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.emplace(*contexts_[0]);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) {
    return listen_error(
        fmt::format("cannot listen on {}:{}: {}", config_.host, config_.port, ec.message()));
  }
  return acceptor_->local_endpoint().port();
}

boost::asio::io_context& tcp_listener::next_context() {
  auto& context = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  return context;
}

void tcp_listener::accept_next() {
  // Each connection lives on one I/O thread, so its handlers never run concurrently.
  auto socket = std::make_shared<tcp::socket>(next_context());
  acceptor_->async_accept(*socket, [this, socket](const boost::system::error_code& ec) {
    on_accept(ec, std::move(*socket));
  });
}

void tcp_listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_->is_open()) return;
  if (!ec) {
    adopt(std::move(socket));
    return accept_next();
  }
  if (config_.warn) config_.warn(fmt::format("accepting a connection failed: {}", ec.message()));
  retry_timer_->expires_after(accept_retry_delay);
  retry_timer_->async_wait([this](const boost::system::error_code& wait_ec) {
    if (!wait_ec && acceptor_->is_open()) accept_next();
  });
}

void tcp_listener::adopt(tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const std::string peer = describe_peer(socket);
  tcp_connection::observer watcher{[this](tcp_connection& c) { settled(c); },
                                   [this](tcp_connection& c) { forget(c); }};
  auto connection =
      std::make_shared<tcp_connection>(std::move(socket), config_.flow, std::move(watcher));
  node_counters& counters = *gateway_->counters;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (connections_.size() >= config_.max_connections) {
      lock.unlock();
      counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
      if (config_.warn)
        config_.warn(fmt::format("refused {}: {} connections open", peer, config_.max_connections));
      return connection->refuse(overloaded_frame_);
    }
    connections_.emplace(connection.get(), connection);
    if (config_.debug)
      config_.debug(fmt::format("accepted {} ({} open)", peer, connections_.size()));
  }
  counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  counters.connections.fetch_add(1, std::memory_order_relaxed);
  connection->start(spawn_gateway(system_, connection, gateway_));
}

void tcp_listener::settled(tcp_connection& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.count(&connection) == 0) return;  // a refused connection
  ++settled_count_;
  settled_changed_.notify_all();
}

void tcp_listener::forget(tcp_connection& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.erase(&connection) == 0) return;
  if (connection.settled()) --settled_count_;
  if (config_.debug)
    config_.debug(fmt::format("closed a connection ({} open)", connections_.size()));
  gateway_->counters->connections.fetch_sub(1, std::memory_order_relaxed);
  settled_changed_.notify_all();
}

void tcp_listener::close_acceptor() {
  std::promise<void> closed;
  boost::asio::post(*contexts_[0], [this, &closed] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    retry_timer_->cancel(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
}

void tcp_listener::stop(std::chrono::milliseconds grace) {
  if (!running_) return;
  running_ = false;
  close_acceptor();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto& entry : connections_) entry.second->drain();
    // Settled connections only wait for their peer's close: their answers are all written.
    settled_changed_.wait_for(lock, grace,
                              [this] { return settled_count_ == connections_.size(); });
  }
  guards_.clear();
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  decltype(connections_) rest;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    rest.swap(connections_);
    settled_count_ = 0;
  }
  gateway_->counters->connections.fetch_sub(static_cast<std::int64_t>(rest.size()),
                                            std::memory_order_relaxed);
  for (auto& entry : rest) entry.second->close_stopped();
}

}  // namespace rooms
