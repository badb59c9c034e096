// node_tls: the TLS contexts of a node, made from its options' PEM files at start (and by
// --check-config), so that a bad, missing or expired file stops the node with a message naming
// the option, the file and the cause before anything listens. See docs/security.md.
#pragma once

#include <memory>
#include <string>

#include "node/node_options.hpp"
#include "protocol/tls/tls.hpp"

namespace rooms {

struct node_tls {
  /// The client port's server context; null: plaintext.
  std::shared_ptr<const tls_context> clients;
  /// The cluster port's mutual context; null: plaintext BASP.
  std::shared_ptr<const tls_context> cluster;
  /// What the node says about its certificates at start.
  std::string summary;
};

result<node_tls> load_node_tls(const node_options& options);

}  // namespace rooms
