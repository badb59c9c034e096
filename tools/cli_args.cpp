// rooms-cli's argument parsing: options anywhere on the line, then one command with its
// operands, checked here so that a mistake is a usage error before anything is sent.
#include "tools/cli_args.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

#include <fmt/core.h>

#include "tools/cli_json.hpp"

namespace rooms::cli {

namespace {

struct split_line {
  std::vector<std::string> words;
  std::map<std::string, std::string, std::less<>> values;
  bool help = false;
  bool compact = false;
  bool patch = false;
  bool tls = false;
};

constexpr std::array<std::string_view, 20> value_options = {
    "--host",  "--port",  "--token",   "--timeout", "--if-version", "--key",    "--ops",
    "--since", "--field", "--session", "--ttl",     "--meta",       "--idle",   "--empty",
    "--where", "--limit", "--after",   "--tls-ca",  "--tls-cert",   "--tls-key"};

// The commands whose operands are plain strings, named as the method's arguments.
struct plain_command {
  std::string_view name;
  std::vector<std::string_view> arguments;
  std::string_view synopsis;
};

const std::array<plain_command, 6> plain_commands = {{
    {"get", {"room"}, "get ROOM"},
    {"join", {"room", "user"}, "join ROOM USER"},
    {"leave", {"room", "user"}, "leave ROOM USER"},
    {"delete", {"room", "user"}, "delete ROOM USER"},
    {"stats", {}, "stats"},
    {"ping", {}, "ping"},
}};

rooms_error usage_error(std::string message) {
  return rooms_error{error_code::invalid_argument, std::move(message)};
}

result<split_line> split(int argc, const char* const* argv) {
  split_line line;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--help" || word == "-h") {
      line.help = true;
    } else if (word == "--compact") {
      line.compact = true;
    } else if (word == "--patch") {
      line.patch = true;
    } else if (word == "--tls") {
      line.tls = true;
    } else if (word.size() > 2 && word.starts_with("--")) {
      const auto equals = word.find('=');
      const std::string name{word.substr(0, equals)};
      if (std::find(value_options.begin(), value_options.end(), name) == value_options.end())
        return usage_error(fmt::format("unknown option {}", name));
      if (equals == std::string_view::npos && i + 1 >= argc)
        return usage_error(fmt::format("{} needs a value", name));
      line.values[name] = equals == std::string_view::npos ? argv[++i] : word.substr(equals + 1);
    } else {
      line.words.emplace_back(word);
    }
  }
  return line;
}

result<std::uint64_t> parse_number(std::string_view text, std::string_view what,
                                   std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > max)
    return usage_error(fmt::format("{} must be a number from 0 to {}, not '{}'", what, max, text));
  return value;
}

const std::string* find(const split_line& line, std::string_view name) {
  const auto found = line.values.find(name);
  return found == line.values.end() ? nullptr : &found->second;
}

// An option's value from the line, else from its environment variable: the value and the name
// to blame when it is wrong.
struct setting {
  std::string value;
  std::string source;
};

std::optional<setting> setting_of(const split_line& line, std::string_view option,
                                  const char* variable, environment_reader environment) {
  if (const auto* value = find(line, option)) return setting{*value, std::string{option}};
  if (auto value = environment(variable)) return setting{std::move(*value), variable};
  return std::nullopt;
}

result<cli_options> options_from(const split_line& line, environment_reader environment) {
  cli_options options;
  options.compact = line.compact;
  if (auto host = setting_of(line, "--host", "ROOMS_HOST", environment)) {
    if (host->value.empty()) return usage_error(fmt::format("{} is empty", host->source));
    options.host = host->value;
  }
  if (auto token = setting_of(line, "--token", "ROOMS_TOKEN", environment))
    options.token = token->value;
  if (auto text = setting_of(line, "--port", "ROOMS_PORT", environment)) {
    auto port = parse_number(text->value, text->source, std::numeric_limits<std::uint16_t>::max());
    if (!port) return port.error();
    options.port = static_cast<std::uint16_t>(*port);
  }
  if (auto text = setting_of(line, "--timeout", "ROOMS_TIMEOUT", environment)) {
    auto milliseconds = parse_number(text->value, text->source + " (milliseconds)", 1u << 30);
    if (!milliseconds) return milliseconds.error();
    options.timeout = std::chrono::milliseconds{*milliseconds};
  }
  if (const auto* field = find(line, "--field")) options.field = *field;
  if (auto flag = environment("ROOMS_TLS")) options.tls.enabled = !flag->empty() && *flag != "0";
  options.tls.enabled = options.tls.enabled || line.tls;
  for (auto [option, variable, file] :
       {std::tuple{"--tls-ca", "ROOMS_TLS_CA", &options.tls.files.ca},
        std::tuple{"--tls-cert", "ROOMS_TLS_CERT", &options.tls.files.cert},
        std::tuple{"--tls-key", "ROOMS_TLS_KEY", &options.tls.files.key}}) {
    auto value = setting_of(line, option, variable, environment);
    if (!value || value->value.empty()) continue;
    *file = value->value;
    options.tls.enabled = true;
  }
  if (options.tls.files.cert.empty() != options.tls.files.key.empty())
    return usage_error("--tls-cert and --tls-key (ROOMS_TLS_CERT, ROOMS_TLS_KEY) go together");
  return options;
}

// One op from `OP PATH [VALUE_JSON]`, `incr PATH BY` or `move|copy FROM PATH`.
result<json> edit_op(const std::vector<std::string>& operands) {
  const std::string& op = operands[0];
  const bool takes_value = op == "set" || op == "merge" || op == "add" || op == "replace" ||
                           op == "test" || op == "incr";
  const std::size_t expected = takes_value || op == "move" || op == "copy" ? 3 : 2;
  if (!takes_value && op != "remove" && op != "move" && op != "copy")
    return usage_error(fmt::format("unknown op '{}'", op));
  if (operands.size() != expected)
    return usage_error(fmt::format("op '{}' takes {} operands", op, expected - 1));
  if (op == "move" || op == "copy")
    return json{{"op", op}, {"from", operands[1]}, {"path", operands[2]}};
  json result = {{"op", op}, {"path", operands[1]}};
  if (!takes_value) return result;
  auto value = parse_json_argument(operands[2], op == "incr" ? "BY" : "VALUE_JSON");
  if (!value) return value.error();
  result[op == "incr" ? "by" : "value"] = std::move(*value);
  return result;
}

result<json> edit_ops(const split_line& line) {
  const std::vector<std::string> operands(line.words.begin() + 3, line.words.end());
  if (const auto* ops = find(line, "--ops")) {
    if (!operands.empty()) return usage_error("give either --ops or one op, not both");
    auto parsed = parse_json_argument(*ops, "--ops");
    if (parsed && !parsed->is_array()) return usage_error("--ops must be a JSON array of ops");
    return parsed;
  }
  if (operands.empty()) return usage_error("edit needs an op, or --ops");
  auto op = edit_op(operands);
  if (!op) return op.error();
  return json::array({std::move(*op)});
}

result<call_command> edit_command(const split_line& line) {
  if (line.words.size() < 3) return usage_error("usage: edit ROOM USER OP ... | --ops JSON");
  auto ops = edit_ops(line);
  if (!ops) return ops.error();
  call_command call{"edit", {{"room", line.words[1]}, {"user", line.words[2]}, {"ops", *ops}}};
  if (const auto* key = find(line, "--key")) call.params["key"] = *key;
  if (const auto* text = find(line, "--if-version")) {
    auto version = parse_number(*text, "--if-version", std::numeric_limits<std::uint64_t>::max());
    if (!version) return version.error();
    call.params["if_version"] = *version;
  }
  return call;
}

// --idle and --empty: milliseconds, or "off" (nil: clears the policy).
std::optional<rooms_error> expire_options(const split_line& line, json& policy) {
  for (const auto& [option, name] : {std::pair{"--idle", "idle_ms"}, {"--empty", "empty_ms"}}) {
    const std::string* text = find(line, option);
    if (text == nullptr) continue;
    if (*text == "off") {
      policy[name] = nullptr;
      continue;
    }
    auto ms = parse_number(*text, option, 31'536'000'000);
    if (!ms) return ms.error();
    policy[name] = *ms;
  }
  return std::nullopt;
}

result<call_command> create_command(const split_line& line) {
  if (line.words.size() < 2 || line.words.size() > 3)
    return usage_error("usage: create USER [DATA_JSON] [--meta JSON] [--idle MS] [--empty MS]");
  call_command call{"create", {{"user", line.words[1]}}};
  if (line.words.size() == 3) {
    auto data = parse_json_argument(line.words[2], "DATA_JSON");
    if (!data) return data.error();
    call.params["data"] = std::move(*data);
  }
  if (const auto* text = find(line, "--meta")) {
    auto meta = parse_json_argument(*text, "--meta");
    if (!meta) return meta.error();
    call.params["meta"] = std::move(*meta);
  }
  json policy = json::object();
  if (auto error = expire_options(line, policy)) return *error;
  if (!policy.empty()) call.params["expire"] = std::move(policy);
  return call;
}

result<call_command> expire_command(const split_line& line) {
  if (line.words.size() != 3)
    return usage_error("usage: expire ROOM USER [--idle MS|off] [--empty MS|off]");
  call_command call{"expire", {{"room", line.words[1]}, {"user", line.words[2]}}};
  if (auto error = expire_options(line, call.params)) return *error;
  return call;
}

result<call_command> list_command(const split_line& line) {
  if (line.words.size() != 1)
    return usage_error("usage: list [--where JSON] [--limit N] [--after ROOM]");
  call_command call{"list", json::object()};
  if (const auto* text = find(line, "--where")) {
    auto where = parse_json_argument(*text, "--where");
    if (!where) return where.error();
    // One condition may be given alone.
    call.params["where"] = where->is_object() ? json::array({std::move(*where)}) : *where;
  }
  if (const auto* text = find(line, "--limit")) {
    auto limit = parse_number(*text, "--limit", 1000);
    if (!limit) return limit.error();
    call.params["limit"] = *limit;
  }
  if (const auto* after = find(line, "--after")) call.params["after"] = *after;
  return call;
}

result<call_command> presence_command(const split_line& line) {
  if (line.words.size() < 3 || line.words.size() > 4)
    return usage_error("usage: presence ROOM USER [DATA_JSON] [--session S] [--ttl MS]");
  call_command call{"presence", {{"room", line.words[1]}, {"user", line.words[2]}}};
  if (line.words.size() == 4) {
    auto data = parse_json_argument(line.words[3], "DATA_JSON");
    if (!data) return data.error();
    call.params["data"] = std::move(*data);  // null: the entry leaves
  }
  if (const auto* session = find(line, "--session")) call.params["session"] = *session;
  if (const auto* text = find(line, "--ttl")) {
    auto ttl = parse_number(*text, "--ttl", 3'600'000);
    if (!ttl) return ttl.error();
    call.params["ttl_ms"] = *ttl;
  }
  return call;
}

result<call_command> meta_command(const split_line& line) {
  if (line.words.size() != 4) return usage_error("usage: meta ROOM USER META_JSON");
  auto meta = parse_json_argument(line.words[3], "META_JSON");
  if (!meta) return meta.error();
  if (!meta->is_object()) return usage_error("META_JSON must be a JSON object");
  return call_command{"set_meta",
                      {{"room", line.words[1]}, {"user", line.words[2]}, {"meta", *meta}}};
}

result<call_command> raw_call_command(const split_line& line) {
  if (line.words.size() < 2 || line.words.size() > 3)
    return usage_error("usage: call METHOD [PARAMS_JSON]");
  call_command call{line.words[1], json::object()};
  if (line.words.size() == 3) {
    auto params = parse_json_argument(line.words[2], "PARAMS_JSON");
    if (!params) return params.error();
    if (!params->is_object()) return usage_error("PARAMS_JSON must be a JSON object");
    call.params = std::move(*params);
  }
  return call;
}

result<call_command> plain_call(const split_line& line, const plain_command& command) {
  if (line.words.size() != command.arguments.size() + 1)
    return usage_error(fmt::format("usage: {}", command.synopsis));
  call_command call{std::string{command.name}, json::object()};
  for (std::size_t i = 0; i < command.arguments.size(); ++i)
    call.params[std::string{command.arguments[i]}] = line.words[i + 1];
  return call;
}

result<call_command> call_from(const split_line& line) {
  const std::string& name = line.words[0];
  if (name == "edit") return edit_command(line);
  if (name == "create") return create_command(line);
  if (name == "call") return raw_call_command(line);
  if (name == "presence") return presence_command(line);
  if (name == "meta") return meta_command(line);
  if (name == "expire") return expire_command(line);
  if (name == "list") return list_command(line);
  for (const auto& command : plain_commands)
    if (command.name == name) return plain_call(line, command);
  return usage_error(fmt::format("unknown command '{}' (see --help)", name));
}

result<watch_command> watch_from(const split_line& line) {
  if (line.words.size() != 2) return usage_error("usage: watch ROOM [--since N] [--patch]");
  watch_command watch{line.words[1], std::nullopt, line.patch};
  if (const auto* text = find(line, "--since")) {
    auto since = parse_number(*text, "--since", std::numeric_limits<std::uint64_t>::max());
    if (!since) return since.error();
    watch.since = *since;
  }
  return watch;
}

// Options that only one command reads are refused elsewhere rather than silently ignored.
std::optional<rooms_error> misplaced_option(const split_line& line) {
  const std::string& name = line.words[0];
  for (std::string_view option : {"--if-version", "--key", "--ops"})
    if (find(line, option) && name != "edit")
      return usage_error(fmt::format("{} applies to edit only", option));
  if (find(line, "--since") && name != "watch") return usage_error("--since applies to watch only");
  if (line.patch && name != "watch") return usage_error("--patch applies to watch only");
  for (std::string_view option : {"--session", "--ttl"})
    if (find(line, option) && name != "presence")
      return usage_error(fmt::format("{} applies to presence only", option));
  if (find(line, "--meta") && name != "create") return usage_error("--meta applies to create only");
  for (std::string_view option : {"--idle", "--empty"})
    if (find(line, option) && name != "create" && name != "expire")
      return usage_error(fmt::format("{} applies to create and expire only", option));
  for (std::string_view option : {"--where", "--limit", "--after"})
    if (find(line, option) && name != "list")
      return usage_error(fmt::format("{} applies to list only", option));
  if (find(line, "--field") && name == "watch")
    return usage_error("--field applies to commands with one result, not watch");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> process_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string{value};
}

const json* select_field(const json& result, const std::string& field) {
  if (!field.starts_with('/')) {
    if (!result.is_object()) return nullptr;
    const auto found = result.find(field);
    return found == result.end() ? nullptr : &*found;
  }
  try {
    const json::json_pointer pointer{field};
    return result.contains(pointer) ? &result.at(pointer) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

result<cli_invocation> parse_cli(int argc, const char* const* argv,
                                 environment_reader environment) {
  auto line = split(argc, argv);
  if (!line) return line.error();
  auto options = options_from(*line, environment);
  if (!options) return options.error();
  if (line->help) return cli_invocation{*options, help_command{}};
  if (line->words.empty()) return usage_error("no command given (see --help)");
  if (auto error = misplaced_option(*line)) return *error;
  if (line->words[0] == "watch") {
    auto watch = watch_from(*line);
    if (!watch) return watch.error();
    return cli_invocation{*options, std::move(*watch)};
  }
  auto call = call_from(*line);
  if (!call) return call.error();
  return cli_invocation{*options, std::move(*call)};
}

std::string_view usage() {
  return R"(rooms-cli: talk to a Rooms node (MessagePack-RPC over TCP).

usage: rooms-cli [OPTIONS] COMMAND [ARGS]

commands:
  create USER [DATA_JSON]              create a room owned by USER; --meta JSON sets its
                                       metadata, --idle MS / --empty MS its expiry
  get ROOM                             print the room's snapshot
  join ROOM USER | leave ROOM USER     change membership
  delete ROOM USER                     delete the room (USER must own it)
  edit ROOM USER OP PATH [VALUE_JSON]  one op: set, merge, add, replace, test (with a value)
                                       or remove (without)
  edit ROOM USER incr PATH BY          add the number BY
  edit ROOM USER move|copy FROM PATH   move or copy a value
  edit ROOM USER --ops OPS_JSON        any array of ops
  presence ROOM USER [DATA_JSON]       set USER's presence in ROOM (default data {}; null
                                       removes it); --session S, --ttl MS (1000 to 3600000).
                                       An entry belongs to its connection: it leaves (as
                                       `disconnect`) when rooms-cli exits
  watch ROOM [--since N] [--patch]     print each event and presence change as one JSON line
                                       until the room is deleted (or Ctrl-C); with --since,
                                       replay from N; with --patch, edited events also carry
                                       "patch", RFC 6902 add/remove/replace to apply to a copy
  meta ROOM USER META_JSON             merge into the room's metadata (a flat map of strings,
                                       numbers and booleans; null removes a key)
  expire ROOM USER [--idle MS|off] [--empty MS|off]
                                       set (1000 to 31536000000 ms) or clear (off) the room's
                                       expiry: deleted after MS without changes or presence
                                       (--idle), or MS without members (--empty); owner only
  list [--where JSON] [--limit N] [--after ROOM]
                                       find rooms by metadata: JSON is one condition or an
                                       array, e.g. '{"key": "mode", "eq": "ranked"}', with eq,
                                       prefix, gte/lte or exists; key "$members" is the member
                                       count. Pages of N (default 100): pass the answer's
                                       "next" as --after for the next page
  stats | ping                         the node's counters | a liveness check
  call METHOD [PARAMS_JSON]            any method with a map of named arguments

options (anywhere on the line):
  --host HOST        node address (default 127.0.0.1; or set ROOMS_HOST)
  --port PORT        node client port (default 7420; or set ROOMS_PORT)
  --token TOKEN      send `hello` with this token first (or set ROOMS_TOKEN)
  --timeout MS       how long to wait for each answer (default 10000; or set ROOMS_TIMEOUT)
  --tls              speak TLS, verifying the node against the system's CAs (or ROOMS_TLS=1)
  --tls-ca FILE      speak TLS, verifying the node against these CAs (or ROOMS_TLS_CA)
  --tls-cert FILE    with --tls-key: the client certificate a node with --tls-ca requires
  --tls-key FILE     (or ROOMS_TLS_CERT and ROOMS_TLS_KEY)
  --if-version N     edit only if the room is at version N
  --key K            idempotency key of the edit (scoped to the room and USER)
  --field NAME       print only this member of the result, a string without quotes
                     (NAME is a key, or a JSON Pointer such as /data/cells)
  --compact          print results on one line (default: indented JSON)
  --help             this text

Values are JSON: `5` is an integer, `5.0` a float, `"x"` a string (in a shell: '"x"').
MessagePack binary is written {"$binary": "<base64>"}, in values given and in everything
printed; a float that JSON cannot write prints as NaN, Infinity or -Infinity.
Example: ROOM=$(rooms-cli create alice '{"cells": {}}' --field room)
Exit status: 0 success, 1 error (printed as `error: CODE: MESSAGE`), 2 usage error.
)";
}

}  // namespace rooms::cli
