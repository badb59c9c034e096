// tcp_connect: the one way rooms-bench opens a TCP connection (to a node, Redis or the echo
// server): blocking connect, then non-blocking with TCP_NODELAY, and TLS when asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/client/client_stream.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

/// A connected, non-blocking socket, or `unavailable` naming host, port and cause.
result<int> tcp_connect(const std::string& host, std::uint16_t port);

/// Waits for bytes (before `deadline`) and puts what arrived in `chunk`.
std::optional<rooms_error> receive_some(client_stream& stream, std::string& chunk,
                                        client_stream::clock::time_point deadline);

/// A connected stream, its TLS handshake done when `tls` is set (within 10 s).
result<client_stream> bench_connect(const std::string& host, std::uint16_t port,
                                    const std::shared_ptr<const tls_context>& tls);

}  // namespace rooms::bench
