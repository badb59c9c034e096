// echo_server: `rooms-bench echo-server --port P`: the loopback ceiling of issue 6. One epoll
// thread sends every byte back as it came, so a MessagePack-RPC request returns as its own
// "response" (rooms_codec with echo counts it by msgid) at no server cost beyond the syscalls.
#pragma once

#include <cstdint>

namespace rooms::bench {

/// Listens on 127.0.0.1:`port` (0 picks a free one), prints "echo-server listening on
/// 127.0.0.1:PORT" to stderr, and echoes until SIGTERM or SIGINT. Returns the exit status.
int run_echo_server(std::uint16_t port);

}  // namespace rooms::bench
