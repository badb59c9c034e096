// The node's counters behind the `stats` method: plain atomics that every actor of the node
// updates without messages (relaxed ordering: they are statistics, not synchronization).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"

namespace rooms {

/// The methods counted by name (every method of the protocol); anything else counts as "other".
inline constexpr auto counted_methods = [] {
  std::array<std::string_view, method_names.size() + 1> all{};
  for (std::size_t i = 0; i < method_names.size(); ++i) all[i] = method_names[i];
  all.back() = "other";
  return all;
}();

struct node_counters {
  std::atomic<std::int64_t> rooms{0};
  /// Of `rooms`: those parked as their image (durability none).
  std::atomic<std::int64_t> rooms_parked{0};
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> subscriptions{0};
  /// Presence entries in the rooms of this node (docs/protocol.md, Presence).
  std::atomic<std::int64_t> presence{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> events_sent{0};
  std::atomic<std::uint64_t> lagged{0};
  /// Rooms deleted by their expiry policy (docs/protocol.md, section 11).
  std::atomic<std::uint64_t> rooms_expired{0};
  /// Cluster peers connected now (0 for a node on its own).
  std::atomic<std::int64_t> peers_up{0};
  std::array<std::atomic<std::uint64_t>, counted_methods.size()> requests{};
  std::array<std::atomic<std::uint64_t>, 13> errors{};

  void count_request(std::string_view method);
  void count_error(error_code code);

  /// The `stats` result map (without the node's name, which the caller adds).
  nlohmann::json to_json() const;
};

}  // namespace rooms
