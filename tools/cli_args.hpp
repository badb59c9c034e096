// rooms-cli's command line: options and commands, turned into the request to send
// (docs/protocol.md names the methods and their arguments).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/client/client_stream.hpp"
#include "protocol/result.hpp"

namespace rooms::cli {

using json = nlohmann::json;

struct cli_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7420;
  /// Sent with `hello` before the command when given.
  std::optional<std::string> token;
  /// --tls, --tls-ca, --tls-cert, --tls-key (or ROOMS_TLS*): speak TLS to the node.
  client_tls_settings tls;
  /// Results on one line instead of indented.
  bool compact = false;
  std::chrono::milliseconds timeout{10000};
  /// `--field NAME`: print only that member of the result (a JSON Pointer when it starts
  /// with '/').
  std::optional<std::string> field;
};

/// One request and its printed result.
struct call_command {
  std::string method;
  json params = json::object();
};

/// `watch ROOM [--since N]`: subscribe and print events until the room is deleted.
struct watch_command {
  std::string room;
  std::optional<std::uint64_t> since;
  /// --patch: subscribe with `patch: true`, so edited events carry their RFC 6902 patch.
  bool patch = false;
};

struct help_command {};

struct cli_invocation {
  cli_options options;
  std::variant<help_command, call_command, watch_command> command;
};

/// Reads the environment's defaults (ROOMS_HOST, ROOMS_PORT, ROOMS_TOKEN, ROOMS_TIMEOUT,
/// ROOMS_TLS, ROOMS_TLS_CA, ROOMS_TLS_CERT, ROOMS_TLS_KEY), or nothing for a variable that is
/// unset.
using environment_reader = std::optional<std::string> (*)(const char* name);

/// The process environment (std::getenv).
std::optional<std::string> process_environment(const char* name);

/// Reads the arguments after the program name; options on the line win over the environment.
/// Errors are usage errors (`invalid_argument`).
result<cli_invocation> parse_cli(int argc, const char* const* argv,
                                 environment_reader environment = process_environment);

/// The member of `result` that `--field` names: a top-level key, or a JSON Pointer.
const json* select_field(const json& result, const std::string& field);

/// The text of `rooms-cli --help`.
std::string_view usage();

}  // namespace rooms::cli
