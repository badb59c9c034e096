// rooms-cli: one-shot commands and `watch` for people, over the shared rooms_client
// (docs/protocol.md; `rooms-cli --help` lists the commands).
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/core.h>

#include "protocol/client/rooms_client.hpp"
#include "tools/cli_args.hpp"
#include "tools/cli_json.hpp"

namespace rooms::cli {

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// How long watch waits for an event before checking that the connection is still there.
constexpr std::chrono::minutes idle_wait{1};

int fail(const rooms_error& error) {
  std::string line = fmt::format("error: {}: {}", to_string(error.code), error.message);
  if (error.details.is_object() && !error.details.empty())
    line += " " + to_text(error.details, /*compact=*/true);
  std::cerr << line << std::endl;
  return exit_failure;
}

void print_line(const json& value, bool compact) {
  std::cout << to_text(value, compact) << std::endl;
}

// The result, or with --field its member: a string member alone and unquoted, so that
// `ROOM=$(rooms-cli create alice --field room)` captures the id.
int print_result(const json& answer, const cli_options& options) {
  if (!options.field) {
    print_line(answer, options.compact);
    return 0;
  }
  const json* value = select_field(answer, *options.field);
  if (value == nullptr) {
    std::cerr << fmt::format("error: the result has no field '{}': {}\n", *options.field,
                             to_text(answer, /*compact=*/true));
    return exit_failure;
  }
  if (value->is_string())
    std::cout << value->get_ref<const std::string&>() << std::endl;
  else
    print_line(*value, options.compact);
  return 0;
}

result<rooms_client> open_session(const cli_options& options) {
  auto tls = make_client_tls(options.tls);
  if (!tls) return tls.error();
  auto client = rooms_client::connect(options.host, options.port, options.timeout, {}, *tls);
  if (!client && options.tls.enabled) {
    return rooms_error{client.error().code,
                       fmt::format("{} (does the node at {}:{} speak TLS, and does --tls-ca "
                                   "name the CA that signed its certificate?)",
                                   client.error().message, options.host, options.port)};
  }
  if (!client) {
    // Say what to do about it: nothing answers there, or the address is wrong.
    return rooms_error{client.error().code,
                       fmt::format("{}: no Rooms node answers at {}:{} (start one with "
                                   "tools/run-node.sh, or point rooms-cli at yours with "
                                   "--host/--port or ROOMS_HOST/ROOMS_PORT)",
                                   client.error().message, options.host, options.port)};
  }
  if (!options.token) return client;
  auto hello =
      client->call("hello", {{"token", *options.token}, {"client", "rooms-cli"}}, options.timeout);
  if (!hello) return hello.error();
  return client;
}

int run_call(rooms_client& client, const call_command& call, const cli_options& options) {
  auto answer = client.call(call.method, call.params, options.timeout);
  if (!answer && !options.tls.enabled && !client.is_open() &&
      answer.error().code == error_code::unavailable) {
    // What a TLS port does to a plaintext client.
    return fail({error_code::unavailable,
                 fmt::format("{} (if the node's port speaks TLS, add --tls-ca FILE or --tls)",
                             answer.error().message)});
  }
  if (!answer) return fail(answer.error());
  return print_result(*answer, options);
}

// What follows one event or notification while watching.
enum class watch_step { more, resubscribe, done };

// The member `key` of `map`, or null: answers are read without trusting their shape.
json member(const json& map, std::string_view key) {
  if (!map.is_object()) return json{};
  const auto found = map.find(key);
  return found == map.end() ? json{} : *found;
}

bool is_deleted_event(const json& event) { return member(event, "type") == "deleted"; }

std::uint64_t version_of(const json& value, std::uint64_t otherwise) {
  const json version = member(value, "version");
  return version.is_number_unsigned() ? version.get<std::uint64_t>() : otherwise;
}

rooms_error error_from(const notification& message) {
  const json code = member(message.params, "code");
  const json text = member(message.params, "message");
  return rooms_error{parse_error_code(code.is_string() ? code.get<std::string>() : "")
                         .value_or(error_code::internal),
                     text.is_string() ? text.get<std::string>() : "the node closed the connection"};
}

// Subscribes (from `since` when known) and prints the events replayed; returns the version
// the subscription starts after, or that the room was deleted meanwhile (then nothing).
result<std::optional<std::uint64_t>> subscribe(rooms_client& client, const watch_command& watch,
                                               std::optional<std::uint64_t> since,
                                               const cli_options& options) {
  json params = {{"room", watch.room}};
  if (since) params["since"] = *since;
  if (watch.patch) params["patch"] = true;
  auto answer = client.call("subscribe", params, options.timeout);
  if (!answer) return answer.error();
  const std::uint64_t version = version_of(*answer, since.value_or(0));
  if (member(*answer, "resync") == true)
    std::cerr << fmt::format("events after version {} are no longer kept; resynced\n",
                             since.value_or(0));
  std::cerr << fmt::format("watching {} from version {}", watch.room, version) << std::endl;
  const json present = member(*answer, "presence");
  if (present.is_array() && !present.empty())
    std::cerr << fmt::format("present: {}", present.dump()) << std::endl;
  const json events = member(*answer, "events");
  for (const auto& event : events.is_array() ? events : json::array()) {
    print_line(event, /*compact=*/true);
    if (is_deleted_event(event)) return std::optional<std::uint64_t>{};
  }
  return std::optional<std::uint64_t>{version};
}

// Handles one notification; `version` follows the last event printed.
result<watch_step> on_notification(const notification& message, std::uint64_t& version) {
  if (message.method == "event") {
    print_line(message.params, /*compact=*/true);
    version = version_of(message.params, version);
    return is_deleted_event(message.params) ? watch_step::done : watch_step::more;
  }
  if (message.method == "presence") {
    // As it came: a presence line has `state` where an event has `type`.
    print_line(message.params, /*compact=*/true);
    return watch_step::more;
  }
  if (message.method == "lagged") {
    version = version_of(message.params, version);
    std::cerr << fmt::format("lagged behind at version {}; resubscribing\n", version);
    return watch_step::resubscribe;
  }
  if (message.method == "unavailable")
    return rooms_error{error_code::unavailable, "the node holding the room cannot be reached"};
  if (message.method == "error") return error_from(message);
  return watch_step::more;
}

int run_watch(rooms_client& client, const watch_command& watch, const cli_options& options) {
  std::optional<std::uint64_t> since = watch.since;
  for (;;) {
    auto start = subscribe(client, watch, since, options);
    if (!start) return fail(start.error());
    if (!*start) return 0;
    std::uint64_t version = **start;
    watch_step step = watch_step::more;
    while (step == watch_step::more) {
      auto message = client.next_notification(idle_wait);
      if (!message && !client.is_open()) return fail(*client.closed_reason());
      if (!message) continue;
      auto next = on_notification(*message, version);
      if (!next) return fail(next.error());
      step = *next;
    }
    if (step == watch_step::done) return 0;
    since = version;
  }
}

int run(const cli_invocation& invocation) {
  if (std::holds_alternative<help_command>(invocation.command)) {
    std::cout << usage();
    return 0;
  }
  auto client = open_session(invocation.options);
  if (!client) return fail(client.error());
  if (const auto* watch = std::get_if<watch_command>(&invocation.command))
    return run_watch(*client, *watch, invocation.options);
  return run_call(*client, std::get<call_command>(invocation.command), invocation.options);
}

}  // namespace

}  // namespace rooms::cli

int main(int argc, char** argv) {
  // A closed stdout (`rooms-cli watch ... | head`) ends the program quietly.
  std::signal(SIGPIPE, SIG_DFL);
  auto invocation = rooms::cli::parse_cli(argc, argv);
  if (!invocation) {
    std::cerr << "error: " << invocation.error().message << "\n";
    return rooms::cli::exit_usage;
  }
  try {
    return rooms::cli::run(*invocation);
  } catch (const std::exception& e) {
    // Last resort for a bug: a clear line instead of std::terminate.
    return rooms::cli::fail(rooms::rooms_error{rooms::error_code::internal, e.what()});
  }
}
