// fanout_checker: what the subscribers of the `fanout` workload received: events counted,
// delivery latency, and per subscriber and room the last version, so a gap or a duplicate shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench/latency_stats.hpp"

namespace rooms::bench {

class fanout_checker {
 public:
  struct totals {
    /// Events delivered in the window, with their edit-to-event latency.
    latency_stats delivered;
    /// Versions skipped, and versions seen again (or going back), over the whole run.
    std::uint64_t gaps = 0;
    std::uint64_t duplicates = 0;
    /// Events naming a room the workload did not subscribe to, or without a readable stamp.
    std::uint64_t unrecognized = 0;
  };

  fanout_checker(std::size_t subscribers, std::size_t rooms);

  /// An event for `room` at `version` reached `subscriber`; `latency_micros` when it had a stamp.
  /// The first event of a room sets the baseline; each later one must be exactly one above.
  void on_event(std::size_t subscriber, std::size_t room, std::uint64_t version,
                std::optional<std::uint32_t> latency_micros, bool measuring);

  totals& result() { return totals_; }

 private:
  std::size_t rooms_;
  std::vector<std::uint64_t> last_version_;
  totals totals_;
};

}  // namespace rooms::bench
