// latency_stats: exact quantiles over every recorded latency (a few million at most, so keeping
// them all is cheaper to get right than a histogram).
#include "bench/latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace rooms::bench {

std::uint64_t latency_stats::error_count() const {
  std::uint64_t total = 0;
  for (const auto& [code, count] : errors_) total += count;
  return total;
}

std::uint32_t latency_stats::quantile(double q) {
  if (micros_.empty()) return 0;
  if (!sorted_) std::sort(micros_.begin(), micros_.end());
  sorted_ = true;
  // Nearest rank: the smallest latency that at least q of the answers did not exceed.
  const double rank = std::ceil(q * static_cast<double>(micros_.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return micros_[std::min(index, micros_.size() - 1)];
}

}  // namespace rooms::bench
