// cluster_placement: which node of a cluster holds which room (docs/cluster.md). Every node
// reads the same static node list, and a room's home is a pure function of its id and that
// list (rendezvous hashing), so any node finds any room without asking another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.hpp"

namespace rooms {

/// One configured node: its name, and where its cluster port (CAF's middleman) listens.
struct cluster_node {
  std::string name;
  std::string host;
  std::uint16_t port = 0;

  friend bool operator==(const cluster_node&, const cluster_node&) = default;
};

/// Parses "NAME@HOST:PORT" (the form of the `cluster-node` option). Errors: invalid_argument.
result<cluster_node> parse_cluster_node(std::string_view text);

class cluster_placement {
 public:
  /// `nodes` holds every node of the cluster, this one included (named `self`). Errors:
  /// invalid_argument for fewer than one node, duplicate names or cluster addresses, or a
  /// `self` that is not in the list.
  static result<cluster_placement> make(std::vector<cluster_node> nodes, std::string_view self);

  /// The index of the node that holds room `id`: the node with the highest score for the id
  /// (ties cannot matter in practice, and are broken by name so that every node agrees).
  std::size_t home(std::string_view id) const;
  bool is_local(std::string_view id) const { return home(id) == self_; }

  std::size_t self() const { return self_; }
  std::size_t size() const { return nodes_.size(); }
  const cluster_node& node(std::size_t index) const { return nodes_[index]; }

  /// A text that differs whenever two nodes would place some room differently: the sorted
  /// names. Peers compare it when they connect and refuse each other on a mismatch.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  cluster_placement() = default;

  /// Sorted by name: the order of the list in a configuration file does not matter.
  std::vector<cluster_node> nodes_;
  std::size_t self_ = 0;
  std::string fingerprint_;
};

/// The rendezvous score of room `id` on the node named `node`: a 64-bit hash of both that is
/// the same in every process and on every platform (FNV-1a, then a 64-bit finalizer).
std::uint64_t placement_score(std::string_view node, std::string_view id);

}  // namespace rooms
