// Protected mode (like Redis's): a node without tokens listens on loopback only, unless started
// with --allow-unauthenticated-remote. The threat model is in docs/security.md.
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

}  // namespace rooms
