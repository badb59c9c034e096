// churn_load: the `churn` workload against a Rooms node: C connections, each running D room
// lifecycles at once: create, join (a second user), leave, delete, then again with a new room.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_options.hpp"
#include "bench/edit_load.hpp"
#include "bench/event_loop.hpp"
#include "bench/room_catalog.hpp"
#include "bench/rooms_codec.hpp"

namespace rooms::bench {

/// Every request (any of the four methods) is one op: latency from queueing to its answer.
class churn_load final : public loop_handler {
 public:
  explicit churn_load(const bench_options& options);

  /// Connects, runs warmup then the measured window, closes.
  result<load_outcome> run();

  void on_bytes(std::size_t index, const char* data, std::size_t size,
                bench_clock::time_point now) override;
  void on_closed(std::size_t index, const char* reason) override;

 private:
  /// One lifecycle in progress: the step whose answer it waits for, and the room once created.
  struct lifecycle {
    int step = 0;
    std::string room;
    std::uint32_t msgid = 0;
    bench_clock::time_point sent;
  };
  struct connection {
    std::uint32_t next_msgid = 1;
    std::vector<lifecycle> lifecycles;
  };

  void on_answer(std::size_t index, const wire_answer& answer, bench_clock::time_point now);
  void send_step(std::size_t index, lifecycle& l);

  bench_options options_;
  room_catalog no_rooms_;
  event_loop loop_;
  std::vector<std::unique_ptr<rooms_codec>> codecs_;
  std::vector<connection> connections_;
  std::vector<wire_answer> answers_;
  bool measuring_ = false;
  bool stopping_ = false;
  latency_stats stats_;
};

}  // namespace rooms::bench
