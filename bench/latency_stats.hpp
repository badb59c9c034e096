// latency_stats: what rooms-bench measured in its window (latencies, answers, errors by code)
// and the summary it prints from them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rooms::bench {

class latency_stats {
 public:
  /// A successful answer that took `micros` from send to response.
  void record_ok(std::uint32_t micros) { micros_.push_back(micros); }

  /// A failed request or a lost connection, by the code the node gave (or our own name for it).
  void record_error(const std::string& code) { ++errors_[code]; }

  /// One response: an error if it carries a `code`, else a success that took `latency`.
  void record_response(const std::optional<std::string>& code,
                       std::chrono::steady_clock::duration latency) {
    if (code) return record_error(*code);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency);
    record_ok(static_cast<std::uint32_t>(micros.count()));
  }

  std::uint64_t ok_count() const { return micros_.size(); }
  std::uint64_t error_count() const;
  const std::map<std::string, std::uint64_t>& errors() const { return errors_; }

  /// The latency at quantile `q` (0..1) of the successful answers, in µs; 0 with none.
  /// Sorts on first use: call it after the measurement, not during.
  std::uint32_t quantile(double q);

 private:
  std::vector<std::uint32_t> micros_;
  std::map<std::string, std::uint64_t> errors_;
  bool sorted_ = false;
};

}  // namespace rooms::bench
