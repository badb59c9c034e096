// tcp_connect: the one way rooms-bench opens a TCP connection (to a node, Redis or the echo
// server): blocking connect, then non-blocking with TCP_NODELAY.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/result.hpp"

namespace rooms::bench {

/// A connected, non-blocking socket, or `unavailable` naming host, port and cause.
result<int> tcp_connect(const std::string& host, std::uint16_t port);

}  // namespace rooms::bench
