// Rendezvous hashing over the configured nodes, and the node list's checks.
#include "actors/cluster/cluster_placement.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace rooms {

namespace {

rooms_error bad(std::string message) { return {error_code::invalid_argument, std::move(message)}; }

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// FNV-1a alone mixes the last bytes poorly; the finalizer spreads every input bit.
std::uint64_t finalize(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

std::uint64_t placement_score(std::string_view node, std::string_view id) {
  std::uint64_t hash = fnv1a(0xcbf29ce484222325ULL, node);
  hash = fnv1a(hash, std::string_view{"\0", 1});
  return finalize(fnv1a(hash, id));
}

result<cluster_node> parse_cluster_node(std::string_view text) {
  const auto at = text.find('@');
  const auto colon = text.rfind(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon < at)
    return bad(fmt::format("'{}' is not NAME@HOST:PORT", text));
  cluster_node node{std::string{text.substr(0, at)},
                    std::string{text.substr(at + 1, colon - at - 1)}};
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (node.name.empty() || node.host.empty() || ec != std::errc{} ||
      end != port.data() + port.size() || value == 0 || value > 65535)
    return bad(fmt::format("'{}' is not NAME@HOST:PORT with a port from 1 to 65535", text));
  node.port = static_cast<std::uint16_t>(value);
  return node;
}

result<cluster_placement> cluster_placement::make(std::vector<cluster_node> nodes,
                                                  std::string_view self) {
  if (nodes.empty()) return bad("a cluster needs at least one node");
  std::sort(nodes.begin(), nodes.end(),
            [](const cluster_node& a, const cluster_node& b) { return a.name < b.name; });
  std::set<std::pair<std::string, std::uint16_t>> addresses;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0 && nodes[i].name == nodes[i - 1].name)
      return bad(fmt::format("node name '{}' appears twice in the cluster", nodes[i].name));
    if (!addresses.emplace(nodes[i].host, nodes[i].port).second)
      return bad(fmt::format("cluster address {}:{} appears twice", nodes[i].host, nodes[i].port));
  }
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const cluster_node& n) { return n.name == self; });
  if (it == nodes.end())
    return bad(fmt::format("this node's name '{}' is not in the cluster's node list", self));
  cluster_placement placement;
  placement.self_ = static_cast<std::size_t>(it - nodes.begin());
  for (const auto& node : nodes) placement.fingerprint_ += node.name + "\n";
  placement.nodes_ = std::move(nodes);
  return placement;
}

std::size_t cluster_placement::home(std::string_view id) const {
  std::size_t best = 0;
  std::uint64_t best_score = placement_score(nodes_[0].name, id);
  // Sorted by name: on a tie the first (smallest) name wins on every node.
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    const std::uint64_t score = placement_score(nodes_[i].name, id);
    if (score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

}  // namespace rooms
