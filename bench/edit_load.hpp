// edit_load: the `edit`, `fanout` and `presence` workloads. One event_loop drives C editor
// connections, each keeping D edits (presence: updates of its own session's presence) in flight
// on random rooms among R, and S subscriber connections subscribed to every room. The server is
// whatever the wire_codec speaks: Rooms, Redis or echo.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "bench/bench_options.hpp"
#include "bench/event_loop.hpp"
#include "bench/fanout_checker.hpp"
#include "bench/latency_stats.hpp"
#include "bench/wire_codec.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

/// What one run measured, over the window after the warmup.
struct load_outcome {
  /// Edits (or other requests): latency from queueing the request to reading its answer.
  latency_stats stats;
  /// Fanout: delivered events in the window, latency from edit queued to event read, and gaps.
  fanout_checker::totals fanout;
  double wall_seconds = 0;
  /// The client's own user + sys CPU time in the window.
  double cpu_seconds = 0;
};

/// The client's user + sys CPU time so far (getrusage), in seconds.
double cpu_seconds_now();

/// Runs the load once. Answers count when they arrive inside the measured window; a connection
/// the server closes (or that fails) counts as an error whenever it happens, and is not reopened.
class edit_load final : public loop_handler {
 public:
  using codec_factory = std::function<std::unique_ptr<wire_codec>()>;

  /// `room_count` rooms exist on the server (Rooms: with "bench" as a member); `make_codec` makes
  /// one codec per connection.
  edit_load(const bench_options& options, std::size_t room_count, codec_factory make_codec);

  /// Connects, subscribes (fanout), runs warmup then the measured window, closes.
  /// `unavailable` if the connections or subscriptions cannot be made.
  result<load_outcome> run();

  void on_bytes(std::size_t index, const char* data, std::size_t size,
                bench_clock::time_point now) override;
  void on_closed(std::size_t index, const char* reason) override;

 private:
  struct editor {
    std::uint32_t next_msgid = 1;
    /// Requests waiting for an answer: msgid and send time (D is small: a vector is fastest).
    std::vector<std::pair<std::uint32_t, bench_clock::time_point>> in_flight;
  };

  std::optional<rooms_error> open_connections();
  std::optional<rooms_error> subscribe_all();
  void on_editor_answer(std::size_t index, const wire_answer& answer, bench_clock::time_point now);
  void on_subscriber_answer(std::size_t index, const wire_answer& answer,
                            bench_clock::time_point now);
  void queue_edit(std::size_t index);
  std::uint32_t micros_since_epoch(bench_clock::time_point t) const;
  /// The checker's key of an event: the room, or for presence the room and the session that
  /// changed (each numbers its updates in each room from 1).
  std::size_t stream_of(const wire_answer& answer) const;

  bench_options options_;
  std::size_t room_count_;
  codec_factory make_codec_;
  event_loop loop_;
  std::vector<std::unique_ptr<wire_codec>> codecs_;
  std::vector<editor> editors_;
  fanout_checker checker_;
  std::vector<wire_answer> answers_;
  std::mt19937_64 random_{20240611};
  /// presence: the last update number sent, per connection and room (connection-major).
  std::vector<std::uint32_t> presence_seq_;
  bench_clock::time_point epoch_ = bench_clock::now();
  std::size_t subscribed_ = 0;
  bool measuring_ = false;
  bool stopping_ = false;
  latency_stats stats_;
};

}  // namespace rooms::bench
