// The peer link's behavior: connect, handshake, watch, report, retry.
#include "actors/cluster/peer_link_actor.hpp"

#include <set>
#include <string>

#include <fmt/format.h>
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/messages.hpp"

namespace rooms {

namespace {

struct peer_link_state {
  static inline const char* name = "peer_link";

  peer_link_config config;
  /// The peer's directory while connected and agreed.
  caf::actor peer;
  /// One warning per kind of failure until the next success, not one per retry.
  std::string last_failure;
};

using peer_link_type = caf::stateful_actor<peer_link_state>;

const cluster_node& peer_node(peer_link_type* self) {
  return self->state.config.placement->node(self->state.config.peer);
}

void log(peer_link_type* self, bool warning, const std::string& message) {
  if (self->state.config.log) self->state.config.log(warning, message);
}

void retry_later(peer_link_type* self, const std::string& why) {
  if (why != self->state.last_failure) {
    log(self, true, fmt::format("cluster peer {} unreachable: {}", peer_node(self).name, why));
    self->state.last_failure = why;
  }
  self->delayed_send(self, self->state.config.retry_interval, reconnect_atom::value);
}

void connected(peer_link_type* self, caf::actor directory) {
  auto& st = self->state;
  st.peer = directory;
  st.last_failure.clear();
  self->monitor(directory);
  self->send(st.config.directory, peer_up_atom::value, static_cast<std::uint64_t>(st.config.peer),
             std::move(directory));
  log(self, false, fmt::format("cluster peer {} connected", peer_node(self).name));
}

// The peer must place every room where this node would, or both could serve one room.
void handshake(peer_link_type* self, caf::actor directory) {
  auto& st = self->state;
  self->request(directory, st.config.attempt_timeout, cluster_hello_atom::value,
                st.config.placement->fingerprint())
      .then(
          [self, directory](bool agrees) {
            if (agrees) return connected(self, directory);
            retry_later(self, "its cluster node list differs from this node's (refused)");
          },
          [self](caf::error& error) { retry_later(self, self->system().render(error)); });
}

void connect(peer_link_type* self) {
  const auto& node = peer_node(self);
  auto middleman = self->state.config.middleman ? self->state.config.middleman
                                                : self->system().middleman().actor_handle();
  self->request(middleman, self->state.config.attempt_timeout, caf::connect_atom::value, node.host,
                node.port)
      .then(
          [self](const caf::node_id&, caf::strong_actor_ptr& published,
                 const std::set<std::string>&) {
            if (!published) return retry_later(self, "nothing published on its cluster port");
            handshake(self, caf::actor_cast<caf::actor>(std::move(published)));
          },
          [self](caf::error& error) { retry_later(self, self->system().render(error)); });
}

caf::behavior peer_link(peer_link_type* self, peer_link_config config) {
  self->state.config = std::move(config);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (!st.peer || msg.source != st.peer.address()) return;
    st.peer = nullptr;
    self->send(st.config.directory, peer_down_atom::value,
               static_cast<std::uint64_t>(st.config.peer));
    retry_later(self, "connection lost (" + self->system().render(msg.reason) + ")");
  });
  self->send(self, reconnect_atom::value);
  return {
      [self](reconnect_atom) { connect(self); },
  };
}

}  // namespace

caf::actor spawn_peer_link(caf::actor_system& system, peer_link_config config) {
  return system.spawn(peer_link, std::move(config));
}

}  // namespace rooms
