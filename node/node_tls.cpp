// Loading a node's TLS contexts from its options.
#include "node/node_tls.hpp"

#include <fmt/format.h>

namespace rooms {

namespace {

std::string certificate_line(const char* what, const tls_files& files) {
  auto described = describe_certificate(files.cert);
  return fmt::format("{} {}{}", what, described ? *described : files.cert,
                     files.ca.empty() ? "" : fmt::format(", peers signed by {}", files.ca));
}

}  // namespace

result<node_tls> load_node_tls(const node_options& options) {
  node_tls tls;
  if (!options.client_tls.cert.empty()) {
    auto context = tls_context::server(options.client_tls);
    if (!context)
      return rooms_error{error_code::invalid_argument,
                         fmt::format("cannot serve TLS on the client port "
                                     "(--tls-cert/--tls-key/--tls-ca): {}",
                                     context.error().message)};
    tls.clients = std::move(*context);
    tls.summary += certificate_line("client port TLS with", options.client_tls);
  }
  if (!options.cluster_tls.cert.empty()) {
    auto context = tls_context::mutual(options.cluster_tls);
    if (!context)
      return rooms_error{error_code::invalid_argument,
                         fmt::format("cannot speak mutual TLS on the cluster port "
                                     "(--cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca): {}",
                                     context.error().message)};
    // Peers admit a certificate that names a node of the cluster; this node's must name it.
    auto named = certificate_names(options.cluster_tls.cert, options.node_name);
    if (named && !*named)
      return rooms_error{
          error_code::invalid_argument,
          fmt::format("the cluster certificate '{}' does not name this node, '{}': its peers "
                      "would refuse it. Make it with tools/make-certs.sh DIR {} (or give it "
                      "DNS:{} in its subjectAltName)",
                      options.cluster_tls.cert, options.node_name, options.node_name,
                      options.node_name)};
    tls.cluster = std::move(*context);
    if (!tls.summary.empty()) tls.summary += "; ";
    tls.summary += certificate_line("cluster mutual TLS with", options.cluster_tls);
  }
  return tls;
}

}  // namespace rooms
