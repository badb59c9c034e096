// roomsd's option table, its command-line syntax and its configuration file (CAF INI format).
//
// Command line: `--name VALUE` or `--name=VALUE`; `--token` may repeat; `--config FILE`.
// File (CAF's INI syntax: strings in double quotes, lists in brackets), for example:
//   [rooms]
//   host = "127.0.0.1"
//   port = 7421
//   token = ["secret-a", "secret-b"]
//   max-connections = 500
//   cluster-node = ["n1@127.0.0.1:7521", "n2@127.0.0.1:7522"]
// Keys are the option names without the dashes; only the [rooms] section is read. `token` and
// `cluster-node` take lists (and may repeat on the command line).
#include "node/node_options.hpp"

#include "node/protected_mode.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <caf/actor_system_config.hpp>
#include <caf/config_value.hpp>
#include <caf/settings.hpp>

namespace rooms {

namespace {

// Why a value is bad, or nothing.
using problem = std::optional<std::string>;

struct option_spec {
  std::string_view name;
  std::string_view value_name;
  std::string_view help;
  problem (*apply)(node_options&, std::string_view);
};

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

template <class T>
problem set_uint(T& field, std::string_view text, std::uint64_t min, std::uint64_t max) {
  auto value = parse_uint(text);
  if (!value || *value < min || *value > max)
    return fmt::format("must be an integer from {} to {}", min, max);
  field = static_cast<T>(*value);
  return std::nullopt;
}

problem set_text(std::string& field, std::string_view text) {
  if (text.empty()) return "must not be empty";
  field = std::string{text};
  return std::nullopt;
}

problem set_flag(bool& field, std::string_view text) {
  if (text != "true" && text != "false") return "must be true or false";
  field = text == "true";
  return std::nullopt;
}

constexpr std::uint64_t big = std::uint64_t{1} << 40;

constexpr std::array<option_spec, 40> specs{{
    {"host", "ADDR", "address to listen on (default 127.0.0.1)",
     [](node_options& o, std::string_view v) { return set_text(o.host, v); }},
    {"port", "PORT", "TCP port; 0 picks a free one (default 7420)",
     [](node_options& o, std::string_view v) { return set_uint(o.port, v, 0, 65535); }},
    {"data-dir", "DIR", "existing directory for the node's data (default ./rooms-data)",
     [](node_options& o, std::string_view v) { return set_text(o.data_dir, v); }},
    {"durability", "MODE", "sync, async or none (default sync; see docs/operations.md)",
     [](node_options& o, std::string_view v) -> problem {
       auto mode = parse_durability(v);
       if (!mode) return "must be sync, async or none";
       o.durability_mode = *mode;
       return std::nullopt;
     }},
    {"fold-every-events", "N",
     "fold a room's stored events into an image every N (default 1000),\n"
     "                               once they add up to half the room's data",
     [](node_options& o, std::string_view v) {
       return set_uint(o.folding.every_events, v, 1, big);
     }},
    {"fold-every-bytes", "N", "... or every N bytes of events (default 4 MiB)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.folding.every_bytes, v, 1, big);
     }},
    {"hibernate-after-ms", "MS",
     "idle time before a room hibernates, or parks without storage (default 60000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.hibernate_after_ms, v, 10, big);
     }},
    {"max-depth", "N", "deepest nesting of room data (default 64)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_depth, v, 1, 512);
     }},
    {"token", "T", "a token `hello` accepts; may repeat; none means no authentication",
     [](node_options& o, std::string_view v) -> problem {
       if (v.empty()) return "must not be empty";
       o.tokens.emplace_back(v);
       return std::nullopt;
     }},
    {"allow-unauthenticated-remote", "",
     "listen on a non-loopback --host without --token (refused otherwise; docs/security.md)",
     [](node_options& o, std::string_view v) {
       return set_flag(o.allow_unauthenticated_remote, v);
     }},
    {"max-message-bytes", "N", "largest message a backend may send (default 1 MiB)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_message_bytes, v, 16, big);
     }},
    {"max-data-bytes", "N", "largest room data, serialized (default 8 MiB)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_data_bytes, v, 1, big);
     }},
    {"max-ops", "N", "most ops in one edit (default 1000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_ops, v, 1, big);
     }},
    {"max-members", "N", "most members per room (default 10000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_members, v, 1, big);
     }},
    {"max-presence", "N", "most presence entries per room (default 1000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_presence, v, 1, big);
     }},
    {"max-presence-bytes", "N", "largest presence data, MessagePack bytes (default 1024)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_presence_bytes, v, 1, big);
     }},
    {"max-subscriptions", "N", "most rooms one connection follows (default 10000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_subscriptions, v, 1, big);
     }},
    {"max-outbound-bytes", "N",
     "bytes waiting to be written to one connection before its subscriptions lag (default 16 MiB)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_outbound_bytes, v, 1, big);
     }},
    {"max-connections", "N", "most simultaneous backend connections (default 10000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.node_limits.max_connections, v, 1, big);
     }},
    {"message-timeout-ms", "MS",
     "most time to send one message, or to authenticate with tokens (default 30000)",
     [](node_options& o, std::string_view v) {
       return set_uint(o.message_timeout_ms, v, 100, big);
     }},
    {"log-level", "LEVEL", "error, warn, info or debug (default info)",
     [](node_options& o, std::string_view v) -> problem {
       auto level = parse_log_level(v);
       if (!level) return "must be error, warn, info or debug";
       o.level = *level;
       return std::nullopt;
     }},
    {"io-threads", "N", "threads that own the sockets, except under --scheduler local (default 1)",
     [](node_options& o, std::string_view v) { return set_uint(o.io_threads, v, 1, 64); }},
    {"event-flush-us", "US",
     "most time events wait to leave with later ones for the same connection (default 1000; 0: "
     "at once)",
     [](node_options& o, std::string_view v) { return set_uint(o.event_flush_us, v, 0, 100000); }},
    {"answer-flush-us", "US",
     "most time answers wait to leave with the rest of their connection's calls in flight "
     "(default 2000; 0: at once)",
     [](node_options& o, std::string_view v) { return set_uint(o.answer_flush_us, v, 0, 100000); }},
    {"worker-threads", "N", "CAF worker threads that run the actors (default: cores + 1)",
     [](node_options& o, std::string_view v) { return set_uint(o.worker_threads, v, 1, 64); }},
    {"scheduler", "POLICY",
     "local (default: sockets on the workers), sharing, stealing or pinned (node/README.md)",
     [](node_options& o, std::string_view v) -> problem {
       if (v == "sharing")
         o.scheduler = scheduler_policy::sharing;
       else if (v == "stealing")
         o.scheduler = scheduler_policy::stealing;
       else if (v == "pinned")
         o.scheduler = scheduler_policy::pinned;
       else if (v == "local")
         o.scheduler = scheduler_policy::local;
       else
         return "must be local, sharing, stealing or pinned";
       return std::nullopt;
     }},
    {"node-name", "NAME", "the node's name in ping, hello and stats (default roomsd@HOST:PORT)",
     [](node_options& o, std::string_view v) { return set_text(o.node_name, v); }},
    {"cluster-node", "NAME@HOST:PORT",
     "a node of the cluster and its cluster port; repeat for every node, this one included",
     [](node_options& o, std::string_view v) -> problem {
       auto node = parse_cluster_node(v);
       if (!node) return node.error().message;
       o.cluster_nodes.push_back(std::move(*node));
       return std::nullopt;
     }},
    {"call-timeout-ms", "MS",
     "cluster: a call on another node's room gets `unavailable` after MS (default 2000)",
     [](node_options& o, std::string_view v) { return set_uint(o.call_timeout_ms, v, 10, big); }},
    {"peer-timeout-ms", "MS", "cluster: drop a peer silent for MS (default 5000)",
     [](node_options& o, std::string_view v) { return set_uint(o.peer_timeout_ms, v, 100, big); }},
    {"tls-cert", "FILE", "PEM certificate (chain): the client port speaks TLS 1.2+ only",
     [](node_options& o, std::string_view v) { return set_text(o.client_tls.cert, v); }},
    {"tls-key", "FILE", "PEM private key of --tls-cert",
     [](node_options& o, std::string_view v) { return set_text(o.client_tls.key, v); }},
    {"tls-ca", "FILE", "PEM CA certificates: clients must present a certificate they signed",
     [](node_options& o, std::string_view v) { return set_text(o.client_tls.ca, v); }},
    {"cluster-tls-cert", "FILE", "cluster: this node's PEM certificate (mutual TLS between nodes)",
     [](node_options& o, std::string_view v) { return set_text(o.cluster_tls.cert, v); }},
    {"cluster-tls-key", "FILE", "cluster: PEM private key of --cluster-tls-cert",
     [](node_options& o, std::string_view v) { return set_text(o.cluster_tls.key, v); }},
    {"cluster-tls-ca", "FILE",
     "cluster: PEM CA certificates; a peer without a certificate they "
     "signed never joins",
     [](node_options& o, std::string_view v) { return set_text(o.cluster_tls.ca, v); }},
    {"allow-insecure-cluster", "",
     "cluster nodes off loopback without cluster TLS (refused otherwise; docs/security.md)",
     [](node_options& o, std::string_view v) { return set_flag(o.allow_insecure_cluster, v); }},
    {"config", "FILE", "read options from FILE first, section [rooms] (CAF INI format)", nullptr},
    {"check-config", "", "check the options (and --config file), print a summary, exit", nullptr},
    {"help", "", "print this text", nullptr},
}};

// Options that may repeat: a list in the file, and the command line's replace the file's.
bool is_list_option(std::string_view name) { return name == "token" || name == "cluster-node"; }

const option_spec* find_spec(std::string_view name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const option_spec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

rooms_error bad(std::string message) { return {error_code::invalid_argument, std::move(message)}; }

// One `--name value` from the command line.
struct cli_setting {
  const option_spec* spec;
  std::string value;
};

struct command_line {
  std::vector<cli_setting> settings;
  std::optional<std::string> config_file;
  bool help = false;
  bool check = false;
};

result<command_line> scan_command_line(int argc, const char* const* argv) {
  command_line cli;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (arg.substr(0, 2) != "--") return bad(fmt::format("unexpected argument '{}'", arg));
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const option_spec* spec = find_spec(name);
    if (spec == nullptr) return bad(fmt::format("unknown option '--{}' (see --help)", name));
    if (spec->apply == nullptr && spec->value_name.empty()) {
      (name == "help" ? cli.help : cli.check) = true;
      continue;
    }
    if (spec->value_name.empty() && !value) value = "true";  // a flag
    if (!value) {
      if (i + 1 >= argc) return bad(fmt::format("option '--{}' needs a value", name));
      value = argv[++i];
    }
    if (name == "config")
      cli.config_file = std::string{*value};
    else
      cli.settings.push_back({spec, std::string{*value}});
  }
  return cli;
}

// A file value as the text a command-line option would carry.
std::optional<std::string> as_text(const caf::config_value& value) {
  if (auto* text = caf::get_if<std::string>(&value)) return *text;
  if (auto* number = caf::get_if<caf::config_value::integer>(&value))
    return std::to_string(*number);
  if (auto* flag = caf::get_if<caf::config_value::boolean>(&value)) return *flag ? "true" : "false";
  return std::nullopt;
}

result<bool> apply_file_value(node_options& options, const std::string& file,
                              const std::string& key, const caf::config_value& value) {
  const option_spec* spec = find_spec(key);
  if (spec == nullptr || spec->apply == nullptr)
    return bad(fmt::format("config file {}: unknown key rooms.{}", file, key));
  std::vector<caf::config_value> items;
  if (auto* list = caf::get_if<caf::config_value::list>(&value); list && is_list_option(key))
    items = *list;
  else
    items.push_back(value);
  for (const auto& item : items) {
    auto text = as_text(item);
    problem why = text ? spec->apply(options, *text) : problem{"has the wrong type"};
    if (why) {
      return bad(fmt::format("config file {}: bad value for rooms.{}: {} ({})", file, key,
                             caf::to_string(item), *why));
    }
  }
  return true;
}

result<bool> apply_config_file(node_options& options, const std::string& file) {
  auto parsed = caf::actor_system_config::parse_config_file(file.c_str());
  if (!parsed) {
    return bad(
        fmt::format("config file {}: {}", file, caf::actor_system_config::render(parsed.error())));
  }
  for (const auto& [section, content] : *parsed) {
    auto* keys = caf::get_if<caf::settings>(&content);
    if (section != "rooms" || keys == nullptr) {
      return bad(fmt::format("config file {}: unknown section or key '{}' (roomsd reads [rooms])",
                             file, section));
    }
    for (const auto& [key, value] : *keys) {
      auto applied = apply_file_value(options, file, key, value);
      if (!applied) return applied.error();
    }
  }
  return true;
}

// A cluster node must find itself in the node list, by name, at its cluster address.
problem check_cluster(const node_options& options) {
  if (options.cluster_nodes.empty()) return std::nullopt;
  if (options.node_name.empty())
    return "a cluster node needs --node-name, the name of its own --cluster-node entry";
  auto placement = cluster_placement::make(options.cluster_nodes, options.node_name);
  if (!placement) return "cluster: " + placement.error().message;
  return std::nullopt;
}

// Each TLS side is all there or not at all (the client port's CA is optional).
problem check_tls_options(const node_options& options) {
  const tls_files& client = options.client_tls;
  if (client.cert.empty() != client.key.empty())
    return "client TLS needs both --tls-cert and --tls-key";
  if (!client.ca.empty() && client.cert.empty())
    return "--tls-ca needs --tls-cert and --tls-key (the client port's own certificate)";
  const tls_files& cluster = options.cluster_tls;
  const int given = !cluster.cert.empty() + !cluster.key.empty() + !cluster.ca.empty();
  if (given != 0 && given != 3)
    return "cluster TLS needs all of --cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca";
  if (given == 3 && options.cluster_nodes.empty())
    return "--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca need --cluster-node";
  return std::nullopt;
}

}  // namespace

result<node_options> parse_node_options(int argc, const char* const* argv) {
  auto cli = scan_command_line(argc, argv);
  if (!cli) return cli.error();
  node_options options;
  options.show_help = cli->help;
  if (options.show_help) return options;
  if (cli->config_file) {
    auto applied = apply_config_file(options, *cli->config_file);
    if (!applied) return applied.error();
  }
  // Lists on the command line replace the file's, like every other option.
  auto given = [&](std::string_view name) {
    return std::any_of(cli->settings.begin(), cli->settings.end(),
                       [&](const cli_setting& s) { return s.spec->name == name; });
  };
  if (given("token")) options.tokens.clear();
  if (given("cluster-node")) options.cluster_nodes.clear();
  for (const auto& setting : cli->settings) {
    if (problem why = setting.spec->apply(options, setting.value)) {
      return bad(
          fmt::format("bad value for --{}: '{}' ({})", setting.spec->name, setting.value, *why));
    }
  }
  if (auto why = check_cluster(options)) return bad(*why);
  if (auto why = check_tls_options(options)) return bad(*why);
  if (auto why = protected_mode_refusal(options)) return bad(std::move(*why));
  if (auto why = insecure_cluster_refusal(options)) return bad(std::move(*why));
  options.check_only = cli->check;
  return options;
}

std::string node_options_summary(const node_options& o) {
  std::string text = fmt::format("node {}: clients on {}:{}, data in {} (durability {})",
                                 o.node_name.empty() ? "(unnamed)" : o.node_name, o.host, o.port,
                                 o.data_dir, to_string(o.durability_mode));
  if (!o.cluster_nodes.empty()) {
    text += fmt::format(", cluster of {}:", o.cluster_nodes.size());
    for (const auto& node : o.cluster_nodes)
      text += fmt::format(" {}@{}:{}", node.name, node.host, node.port);
    text += o.cluster_tls.cert.empty() ? ", cluster without TLS" : ", cluster over mutual TLS";
  }
  if (!o.client_tls.cert.empty())
    text += o.client_tls.ca.empty() ? ", clients over TLS" : ", clients over mutual TLS";
  return text + "\n";
}

std::string node_options_help() {
  std::string text =
      "usage: roomsd [options]\n"
      "Runs one Rooms node: shared, live room state for application backends.\n\n";
  for (const auto& spec : specs) {
    std::string left = fmt::format("--{} {}", spec.name, spec.value_name);
    if (spec.name.size() + 3 > 28) left = fmt::format("--{}\n{:<30}", spec.name, "");
    text += fmt::format("  {:<28} {}\n", left, spec.help);
  }
  text +=
      "\nEvery option but --config and --help may also be set in the file, section [rooms],\n"
      "e.g. `port = 7421`, `token = [\"a\", \"b\"]`. The command line wins over the file.\n"
      "A cluster lists every node with --cluster-node (see docs/cluster.md).\n";
  return text;
}

std::size_t default_worker_threads() {
  return std::max<std::size_t>(std::thread::hardware_concurrency(), 1) + 1;
}

}  // namespace rooms
