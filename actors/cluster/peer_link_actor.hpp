// peer_link: one per other node of the cluster, spawned by the node at start. It connects to
// the peer's cluster port through CAF's middleman, checks that the peer places rooms alike
// (cluster_hello_atom), tells the local directory (peer_up_atom / peer_down_atom), watches the
// peer's directory, and reconnects after the peer was lost. It holds no room state: when it or
// its node stops, nothing is lost. See docs/cluster.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/cluster/cluster_placement.hpp"

namespace rooms {

struct peer_link_config {
  std::shared_ptr<const cluster_placement> placement;
  /// The peer: an index into the placement's nodes, never this node's own.
  std::size_t peer = 0;
  /// The local directory, told of every change of the peer's reachability.
  caf::actor directory;
  /// Who connects to the peer: CAF's middleman when null, else one whose connections speak
  /// TLS (tls_middleman_actor.hpp).
  caf::io::middleman_actor middleman;
  /// Pause between two connection attempts, and the longest a connection or handshake waits.
  std::chrono::milliseconds retry_interval{500};
  std::chrono::milliseconds attempt_timeout{2000};
  /// Where the link reports connects, losses and refusals (the node's log).
  std::function<void(bool warning, std::string_view message)> log;
};

caf::actor spawn_peer_link(caf::actor_system& system, peer_link_config config);

}  // namespace rooms
