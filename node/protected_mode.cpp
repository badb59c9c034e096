// Protected mode: decides whether the configured listen address may go without tokens.
#include "node/protected_mode.hpp"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace rooms {

std::optional<bool> is_loopback_host(const std::string& host) {
  // Resolved like the listener resolves it, so a name such as "localhost" counts by what it
  // means on this machine rather than by how it is spelled.
  boost::asio::io_context context;
  boost::asio::ip::tcp::resolver resolver(context);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(host, "0", boost::asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) return std::nullopt;
  for (const auto& entry : endpoints)
    if (!entry.endpoint().address().is_loopback()) return false;
  return true;
}

std::optional<std::string> protected_mode_refusal(const node_options& options) {
  if (!options.tokens.empty() || options.allow_unauthenticated_remote) return std::nullopt;
  if (is_loopback_host(options.host).value_or(true)) return std::nullopt;
  return fmt::format(
      "refusing to listen on '{}' without tokens (protected mode): anyone who can reach that "
      "address could read, change and delete every room. Give the backends a secret with "
      "--token, or listen on 127.0.0.1, or, if a firewall or tunnel already restricts who can "
      "connect, start with --allow-unauthenticated-remote (see docs/security.md)",
      options.host);
}

std::optional<std::string> insecure_cluster_refusal(const node_options& options) {
  if (options.cluster_nodes.empty() || !options.cluster_tls.cert.empty() ||
      options.allow_insecure_cluster)
    return std::nullopt;
  for (const auto& node : options.cluster_nodes) {
    if (is_loopback_host(node.host).value_or(true)) continue;
    return fmt::format(
        "refusing to run a cluster whose node {} is at {}, off loopback, without cluster TLS: "
        "anyone who can reach a cluster port could join the cluster and send its nodes any "
        "message. Give every node --cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca "
        "(tools/make-certs.sh makes them), or, if the network between the nodes is private "
        "and trusted, start with --allow-insecure-cluster (see docs/security.md)",
        node.name, node.host);
  }
  return std::nullopt;
}

}  // namespace rooms
