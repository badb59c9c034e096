// fanout_checker: one flat vector of last versions, subscriber-major.
#include "bench/fanout_checker.hpp"

namespace rooms::bench {

fanout_checker::fanout_checker(std::size_t subscribers, std::size_t rooms)
    : rooms_(rooms), last_version_(subscribers * rooms, 0) {}

void fanout_checker::on_event(std::size_t subscriber, std::size_t room, std::uint64_t version,
                              std::optional<std::uint32_t> latency_micros, bool measuring) {
  if (room >= rooms_ || !latency_micros) {
    ++totals_.unrecognized;
    return;
  }
  std::uint64_t& last = last_version_[subscriber * rooms_ + room];
  if (last != 0 && version <= last) {
    ++totals_.duplicates;
    return;
  }
  if (last != 0 && version > last + 1) totals_.gaps += version - last - 1;
  last = version;
  if (measuring) totals_.delivered.record_ok(*latency_micros);
}

}  // namespace rooms::bench
