// One node's start, serving and graceful stop.
#include "node/node.hpp"

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/scheduler/coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/cluster/peer_link_actor.hpp"
#include "actors/cluster/tls_middleman_actor.hpp"
#include "actors/directory/directory_actor.hpp"
#include "actors/gateway/tcp_listener.hpp"
#include "actors/index_upgrade.hpp"
#include "actors/messages.hpp"
#include "actors/room/room_persistence.hpp"
#include "node/local_policy.hpp"
#include "node/log.hpp"
#include "node/node_config.hpp"
#include "node/node_tls.hpp"
#include "node/pinned_policy.hpp"

namespace rooms {

namespace {

// Messages an actor handles per turn under --scheduler pinned before the next actor of its
// worker runs (CAF's default is unbounded).
constexpr std::int64_t pinned_turn_messages = 64;

constexpr std::chrono::milliseconds stop_grace{2000};
constexpr const char* server_name = "rooms 0.1";

// Opens the store in the data dir and starts the group writer; nothing in durability `none`.
result<std::shared_ptr<const room_persistence>> open_persistence(const node_options& options) {
  if (options.durability_mode == durability::none) return std::shared_ptr<const room_persistence>{};
  auto store = room_store::open(options.data_dir);
  if (!store) return store.error();
  // A store made before the room index gets its index keys once, before the node serves.
  auto indexed = index_stored_rooms(**store, std::make_shared<const limits>(options.node_limits));
  if (!indexed) return indexed.error();
  if (*indexed > 0) log(log_level::info, "indexed {} rooms stored before the room index", *indexed);
  auto persistence = std::make_shared<room_persistence>();
  persistence->store = std::move(*store);
  group_writer_options writer_options;
  writer_options.on_sync_failure = [](const rooms_error& error) {
    log(log_level::error, "syncing the store failed: {}", error.message);
  };
  persistence->writer = std::make_shared<group_writer>(batch_target::of(*persistence->store),
                                                       options.durability_mode, writer_options);
  persistence->reader = std::make_shared<store_reader>(persistence->store);
  persistence->folding = options.folding;
  persistence->idle_timeout = std::chrono::milliseconds(options.hibernate_after_ms);
  return std::shared_ptr<const room_persistence>{std::move(persistence)};
}

// SIGTERM and SIGINT, blocked in every thread so that only the main thread's sigwait sees them.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer that vanished must show up as a write error, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

int wait_for_stop_signal(const sigset_t& signals) {
  int signal = 0;
  while (sigwait(&signals, &signal) != 0) {
  }
  return signal;
}

listener_config make_listener_config(const node_options& options, const node_tls& tls) {
  listener_config config;
  config.host = options.host;
  config.port = options.port;
  config.max_connections = options.node_limits.max_connections;
  config.flow.max_outbound_bytes = options.node_limits.max_outbound_bytes;
  config.flow.handshake_timeout = std::chrono::milliseconds(options.message_timeout_ms);
  config.tls = tls.clients;
  config.warn = [](std::string_view message) { log(log_level::warn, "{}", message); };
  if (log_enabled(log_level::debug))
    config.debug = [](std::string_view message) { log(log_level::debug, "{}", message); };
  return config;
}

std::shared_ptr<gateway_config> make_gateway_config(const node_options& options,
                                                    std::uint16_t port) {
  auto config = std::make_shared<gateway_config>();
  config->node_limits = std::make_shared<const limits>(options.node_limits);
  config->counters = std::make_shared<node_counters>();
  config->tokens = options.tokens;
  config->message_timeout = std::chrono::milliseconds(options.message_timeout_ms);
  config->node_name = options.node_name.empty() ? fmt::format("roomsd@{}:{}", options.host, port)
                                                : options.node_name;
  config->server_name = server_name;
  config->call_timeout = std::chrono::milliseconds(options.call_timeout_ms);
  return config;
}

// Null for a node on its own; the options were checked, so make() succeeds.
std::shared_ptr<const cluster_placement> make_placement(const node_options& options) {
  if (options.cluster_nodes.empty()) return nullptr;
  auto placement = cluster_placement::make(options.cluster_nodes, options.node_name);
  return std::make_shared<const cluster_placement>(std::move(*placement));
}

// CAF's distribution layer, only in a cluster: the middleman with heartbeats, so that a peer
// that vanished without closing its connections is dropped after --peer-timeout-ms.
void configure_cluster(caf::actor_system_config& config, const node_options& options) {
  add_message_types(config);
  if (options.cluster_nodes.empty()) return;
  config.load<caf::io::middleman>();
  const auto timeout = std::chrono::milliseconds(options.peer_timeout_ms);
  config.set("middleman.heartbeat-interval", caf::timespan{timeout / 4});
  config.set("middleman.connection-timeout", caf::timespan{timeout});
}

// What a node runs to be part of its cluster.
struct cluster_membership {
  std::vector<caf::actor> links;
  /// Set under cluster TLS: the middleman whose connections speak it.
  caf::io::middleman_actor tls_middleman;

  void leave() {
    for (auto& link : links) caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
    if (tls_middleman) caf::anon_send_exit(tls_middleman, caf::exit_reason::kill);
  }
};

// Publishes the directory on this node's cluster port and starts one link per peer; under
// cluster TLS through a middleman whose every connection speaks mutual TLS.
result<cluster_membership> join_cluster(caf::actor_system& system,
                                        std::shared_ptr<const cluster_placement> placement,
                                        const caf::actor& directory, const node_options& options,
                                        const node_tls& tls) {
  cluster_membership membership;
  caf::io::middleman_actor middleman = system.middleman().actor_handle();
  if (tls.cluster) {
    tls_middleman_config config;
    config.context = tls.cluster;
    for (const auto& node : options.cluster_nodes) config.node_names.push_back(node.name);
    config.warn = [](std::string_view message) { log(log_level::warn, "{}", message); };
    membership.tls_middleman = spawn_tls_middleman(system, std::move(config));
    middleman = membership.tls_middleman;
  }
  const cluster_node& self = placement->node(placement->self());
  std::optional<std::string> failure;
  caf::scoped_actor caller{system};
  caller
      ->request(middleman, caf::infinite, caf::publish_atom::value, self.port,
                caf::actor_cast<caf::strong_actor_ptr>(directory), std::set<std::string>{},
                self.host, true)
      .receive([](std::uint16_t) {}, [&](caf::error& error) { failure = system.render(error); });
  if (failure) {
    membership.leave();
    return rooms_error{
        error_code::unavailable,
        fmt::format("cannot listen on cluster address {}:{}: {}", self.host, self.port, *failure)};
  }
  for (std::size_t peer = 0; peer < placement->size(); ++peer) {
    if (peer == placement->self()) continue;
    peer_link_config config;
    config.placement = placement;
    config.peer = peer;
    config.directory = directory;
    config.middleman = membership.tls_middleman;
    config.attempt_timeout = std::chrono::milliseconds(options.call_timeout_ms);
    config.log = [](bool warning, std::string_view message) {
      log(warning ? log_level::warn : log_level::info, "{}", message);
    };
    membership.links.push_back(spawn_peer_link(system, std::move(config)));
  }
  return membership;
}

}  // namespace

int run_node(const node_options& options) {
  set_log_level(options.level);
  const sigset_t stop_signals = block_stop_signals();
  auto tls = load_node_tls(options);
  if (!tls) {
    log(log_level::error, "{}", tls.error().message);
    return 1;
  }
  // Declared before the actor system: room actors use it until the system has stopped.
  auto persistence = open_persistence(options);
  if (!persistence) {
    log(log_level::error, "cannot use --data-dir '{}': {}", options.data_dir,
        persistence.error().message);
    return 1;
  }
  const std::size_t workers =
      options.worker_threads != 0 ? options.worker_threads : default_worker_threads();
  // The sockets' reactors: hosted by the workers under `local`, else on threads of their own.
  // Declared before the actor system, which they outlive.
  const bool hosted = options.scheduler == scheduler_policy::local;
  if (hosted && options.io_threads != 1)
    log(log_level::warn,
        "--io-threads {} has no effect under --scheduler local: the {} workers "
        "own the sockets",
        options.io_threads, workers);
  io_reactor_set reactors{hosted ? workers : options.io_threads};
  for (std::size_t i = 0; i < reactors.size(); ++i) {
    reactors.at(i).set_pace_interval(io_reactor::lane::events,
                                     std::chrono::microseconds{options.event_flush_us});
    reactors.at(i).set_pace_interval(io_reactor::lane::answers,
                                     std::chrono::microseconds{options.answer_flush_us});
  }
  node_config caf_config;
  caf_config.reactors = &reactors;
  caf_config.set("scheduler.max-threads", static_cast<caf::config_value::integer>(workers));
  switch (options.scheduler) {
    case scheduler_policy::sharing:
      caf_config.set("scheduler.policy", caf::atom("sharing"));
      break;
    case scheduler_policy::stealing:
      caf_config.set("scheduler.policy", caf::atom("stealing"));
      break;
    case scheduler_policy::pinned:
      // A loaded scheduler module replaces CAF's own choice. Bounded turns: a busy room
      // yields its worker to the other actors pinned there after this many messages.
      caf_config.load<caf::scheduler::coordinator<pinned_policy>>();
      caf_config.set("scheduler.max-throughput", caf::config_value::integer{pinned_turn_messages});
      break;
    case scheduler_policy::local:
      caf_config.load<caf::scheduler::coordinator<local_policy>>();
      caf_config.set("scheduler.max-throughput", caf::config_value::integer{pinned_turn_messages});
      break;
  }
  configure_cluster(caf_config, options);
  caf::actor_system system{caf_config};
  if (!hosted) reactors.start_threads();
  tcp_listener listener{system, reactors, make_listener_config(options, *tls)};
  auto port = listener.bind();
  if (!port) {
    log(log_level::error, "bad value for --host or --port: '{}', {} ({})", options.host,
        options.port, port.error().message);
    return 1;
  }
  auto gateway = make_gateway_config(options, *port);
  gateway->placement = make_placement(options);
  // Without storage, an idle room is parked instead of hibernated, after the same idle time.
  const auto park_after = *persistence ? std::chrono::milliseconds{0}
                                       : std::chrono::milliseconds(options.hibernate_after_ms);
  directory_config directory{gateway->node_limits, gateway->counters, *persistence,
                             gateway->placement, park_after};
  // Without storage the room index lives in memory; durable nodes keep it in the store.
  if (!*persistence) directory.index = std::make_shared<memory_index>();
  directory.call_timeout = std::chrono::milliseconds(options.call_timeout_ms);
  gateway->directory = spawn_directory(system, std::move(directory));
  cluster_membership cluster;
  if (gateway->placement) {
    auto joined = join_cluster(system, gateway->placement, gateway->directory, options, *tls);
    if (!joined) {
      log(log_level::error, "{}", joined.error().message);
      caf::anon_send_exit(gateway->directory, caf::exit_reason::user_shutdown);
      return 1;
    }
    cluster = std::move(*joined);
  }
  listener.run(gateway);
  fmt::print(stderr, "roomsd listening on {}:{}\n", options.host, *port);
  std::fflush(stderr);
  log(log_level::info, "node {} ready: {} worker threads, {}, durability {}{}", gateway->node_name,
      system.scheduler().num_workers(),
      hosted ? std::string{"sockets on the workers"}
             : fmt::format("{} I/O threads", options.io_threads),
      to_string(options.durability_mode),
      *persistence ? fmt::format(", {} stored rooms in {}", (*persistence)->store->room_count(),
                                 options.data_dir)
                   : std::string{});
  if (!tls->summary.empty()) log(log_level::info, "{}", tls->summary);
  const int signal = wait_for_stop_signal(stop_signals);
  log(log_level::info, "{} received: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  listener.stop(stop_grace);
  reactors.stop_threads();
  cluster.leave();
  caf::anon_send_exit(gateway->directory, caf::exit_reason::user_shutdown);
  // Its last answers go to actors of a system that is still running; later reads are refused.
  if (*persistence) (*persistence)->reader->stop();
  log(log_level::info, "stopped");
  return 0;
}

}  // namespace rooms
