// Protected mode (like Redis's): a node without tokens listens on loopback only, unless started
// with --allow-unauthenticated-remote; a cluster off loopback speaks mutual TLS, unless started
// with --allow-insecure-cluster. The threat model is in docs/security.md.
#pragma once

#include <optional>
#include <string>

#include "node/node_options.hpp"

namespace rooms {

/// Whether every address `host` resolves to is a loopback address (127.0.0.0/8, ::1); nothing
/// when it does not resolve (binding will then fail and say why).
std::optional<bool> is_loopback_host(const std::string& host);

/// Why the node must not start with `options`, or nothing: a non-loopback --host without any
/// --token and without --allow-unauthenticated-remote is refused. Resolves `host`.
std::optional<std::string> protected_mode_refusal(const node_options& options);

/// Why the node must not start with `options`, or nothing: a cluster whose nodes are not all on
/// loopback needs cluster TLS, or --allow-insecure-cluster. Resolves the nodes' hosts.
std::optional<std::string> insecure_cluster_refusal(const node_options& options);

}  // namespace rooms
