// tls_middleman: the cluster port over mutual TLS. It stands in for CAF's middleman actor (the
// actor that publishes the directory and connects to peers): the same BASP broker carries the
// same messages, but every connection it opens or accepts speaks TLS with one context made at
// start, and a peer without a certificate from the cluster's CA, naming one of the cluster's
// nodes, never gets past the handshake.
// Both sides log why a handshake failed, with the peer's address.
//
// It plugs into CAF 0.17's I/O layer where CAF's own OpenSSL module does (a scribe and a doorman
// whose streams run a TLS session), rather than loading that module: the module makes a new
// context and reads the certificate files for every connection (and aborts the multiplexer if
// they became unreadable), sets no minimum TLS version, and reports no reason for a refused
// peer. See docs/security.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include "protocol/tls/tls.hpp"

namespace rooms {

struct tls_middleman_config {
  /// From tls_context::mutual: this node's certificate and the cluster's CA.
  std::shared_ptr<const tls_context> context;
  /// The names of the cluster's nodes: a peer's certificate must name one of them (a
  /// certificate of the same CA made for something else, a backend's, is refused).
  std::vector<std::string> node_names;
  /// Where refused and failed handshakes are reported (the node's log); any thread.
  std::function<void(std::string_view)> warn;
};

/// Spawns the middleman; requires CAF's middleman module to be loaded. Publish with
/// publish_atom and connect with connect_atom, as with CAF's own middleman actor.
caf::io::middleman_actor spawn_tls_middleman(caf::actor_system& system,
                                             tls_middleman_config config);

}  // namespace rooms
