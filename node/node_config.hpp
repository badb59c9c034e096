// node_config: the CAF configuration of a node, carrying what its scheduler policy needs
// besides CAF's own settings (the reactors that `--scheduler local` hosts on its workers).
#pragma once

#include <cstdlib>

#include <caf/actor_system_config.hpp>

#include "actors/gateway/io_reactor.hpp"

namespace rooms {

struct node_config : caf::actor_system_config {
  /// One reactor per worker when the workers host the sockets; null otherwise.
  io_reactor_set* reactors = nullptr;
};

/// The reactors a node's configuration hands its workers. A policy that hosts reactors is only
/// loaded into a node_config that has them: anything else is a wiring error.
inline io_reactor_set& hosted_reactors(const caf::actor_system_config& config) {
  const auto* node = dynamic_cast<const node_config*>(&config);
  if (node == nullptr || node->reactors == nullptr) std::abort();
  return *node->reactors;
}

}  // namespace rooms
