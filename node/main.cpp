// roomsd's entry point: parse the options, run the node. Everything else is in node.cpp.
#include <cstdio>

#include <fmt/format.h>

#include "node/node.hpp"
#include "node/node_tls.hpp"

int main(int argc, char** argv) {
  auto options = rooms::parse_node_options(argc, argv);
  if (!options) {
    fmt::print(stderr, "roomsd: {}\n", options.error().message);
    return 2;
  }
  if (options->show_help) {
    fmt::print("{}", rooms::node_options_help());
    return 0;
  }
  if (options->check_only) {
    auto tls = rooms::load_node_tls(*options);
    if (!tls) {
      fmt::print(stderr, "roomsd: {}\n", tls.error().message);
      return 2;
    }
    fmt::print("{}", rooms::node_options_summary(*options));
    return 0;
  }
  return rooms::run_node(*options);
}
