// Parsing of rooms-bench's command line: `--name value` or `--name=value`, plus `--json`.
#include "bench/bench_options.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace rooms::bench {

namespace {

using setter = std::function<bool(bench_options&, std::string_view)>;

template <class Number>
bool parse_number(std::string_view text, Number& out, Number low, Number high) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < low || value > high)
    return false;
  out = value;
  return true;
}

template <class Number>
setter number(Number bench_options::*member, Number low, Number high) {
  return
      [=](bench_options& o, std::string_view v) { return parse_number(v, o.*member, low, high); };
}

// `allowed` is copied into the setter: an initializer_list's array would not outlive this call.
setter one_of(std::string bench_options::*member, std::vector<std::string_view> allowed) {
  return [=](bench_options& o, std::string_view v) {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return false;
    o.*member = v;
    return true;
  };
}

setter tls_file(std::string tls_files::*member) {
  return [=](bench_options& o, std::string_view v) {
    o.tls_settings.enabled = true;
    return !(o.tls_settings.files.*member = v).empty();
  };
}

const std::map<std::string, setter, std::less<>>& setters() {
  static const std::map<std::string, setter, std::less<>> table{
      {"host", [](bench_options& o, std::string_view v) { return !(o.host = v).empty(); }},
      {"port", number<std::uint16_t>(&bench_options::port, 0, 65535)},
      {"workload", one_of(&bench_options::workload,
                          {"edit", "fanout", "presence", "churn", "bigroom", "rooms", "list"})},
      {"target", one_of(&bench_options::target, {"rooms", "redis", "echo"})},
      {"subscribers", number(&bench_options::subscribers, 0, 1000)},
      {"node-pid", number(&bench_options::node_pid, 1, 1 << 30)},
      {"bigroom-mib", number(&bench_options::bigroom_mib, 1, 64)},
      {"connections", number(&bench_options::connections, 1, 10000)},
      {"depth", number(&bench_options::depth, 1, 100000)},
      {"rooms", number(&bench_options::rooms, 0, 10000000)},
      {"seconds", number(&bench_options::seconds, 0.0, 86400.0)},
      {"warmup-seconds", number(&bench_options::warmup_seconds, 0.0, 86400.0)},
      {"value-bytes", number(&bench_options::value_bytes, 0, 1 << 20)},
      {"tls-ca", tls_file(&tls_files::ca)},
      {"tls-cert", tls_file(&tls_files::cert)},
      {"tls-key", tls_file(&tls_files::key)},
  };
  return table;
}

// Applies one `--name value`; `index` moves past the value it consumed.
bool apply_option(bench_options& options, int argc, char** argv, int& index, std::string& error) {
  std::string_view arg = argv[index];
  if (arg == "--json") return options.json = true;
  if (arg == "--patch") return options.patch = true;
  if (arg == "--no-setup") return options.no_setup = true;
  if (arg == "--tls") return options.tls_settings.enabled = true;
  if (!arg.starts_with("--")) return error = fmt::format("unexpected argument {}", arg), false;
  arg.remove_prefix(2);
  std::string_view value;
  if (auto eq = arg.find('='); eq != std::string_view::npos) {
    value = arg.substr(eq + 1);
    arg = arg.substr(0, eq);
  } else if (index + 1 < argc) {
    value = argv[++index];
  }
  auto found = setters().find(arg);
  if (found == setters().end()) return error = fmt::format("unknown option --{}", arg), false;
  if (!found->second(options, value))
    return error = fmt::format("bad value for --{}: '{}'", arg, value), false;
  return true;
}

}  // namespace

std::optional<bench_options> parse_bench_options(int argc, char** argv, std::string& error) {
  bench_options options;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view{argv[i]} == "--help") return error = "", std::nullopt;
    if (!apply_option(options, argc, argv, i, error)) return std::nullopt;
  }
  auto tls = make_client_tls(options.tls_settings);
  if (!tls) return error = tls.error().message, std::nullopt;
  options.tls = std::move(*tls);
  return options;
}

std::string bench_usage() {
  return "usage: rooms-bench [--host H] [--port P] [--target rooms|redis|echo]\n"
         "                   [--workload edit|fanout|presence|churn|bigroom|rooms|list]\n"
         "                   [--connections C] [--depth D] [--rooms R] [--subscribers N]\n"
         "                   [--patch] [--seconds S] [--warmup-seconds W] [--value-bytes B]\n"
         "                   [--node-pid PID] [--bigroom-mib M] [--no-setup] [--json]\n"
         "                   [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]\n"
         "       rooms-bench echo-server [--port P]\n"
         "Defaults: 127.0.0.1:7420, rooms, edit, C=50, D=1, R=1000, N=0, S=10, W=1, B=8\n"
         "(0 stores integers), M=10. fanout needs N > 0; --patch: its subscribers ask for\n"
         "patches. presence: each connection updates its own session's presence in random\n"
         "rooms. list: R rooms in groups of 100 (meta g), then one `list` at a time for a\n"
         "random group (--no-setup: the rooms exist). redis runs edit, fanout, presence and\n"
         "list; echo runs edit. --tls (implied by the --tls-* files): every connection speaks\n"
         "TLS, verifying the server against --tls-ca (the system's CAs without it).\n";
}

}  // namespace rooms::bench
