// edit_load: editors are connections 0..C-1, subscribers C..C+S-1 of the one event loop.
#include "bench/edit_load.hpp"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>

#include "bench/tcp_connect.hpp"

namespace rooms::bench {

namespace {
/// Each room's edits overwrite one of this many cells, so room data stays small however long
/// the run: the server's cost per edit does not drift with time.
constexpr int cells_per_room = 100;
/// How long subscribing to every room may take before the run gives up.
constexpr double subscribe_timeout_seconds = 60;
}  // namespace

double cpu_seconds_now() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

edit_load::edit_load(const bench_options& options, std::size_t room_count, codec_factory make_codec)
    : options_(options),
      room_count_(room_count),
      make_codec_(std::move(make_codec)),
      loop_(*this),
      checker_(static_cast<std::size_t>(options.subscribers),
               options.workload == "presence"
                   ? room_count * static_cast<std::size_t>(options.connections)
                   : room_count) {
  if (options.workload == "presence")
    presence_seq_.resize(room_count * static_cast<std::size_t>(options.connections));
}

result<load_outcome> edit_load::run() {
  if (auto error = open_connections()) return *error;
  if (auto error = subscribe_all()) return *error;
  for (std::size_t i = 0; i < editors_.size(); ++i) {
    for (int d = 0; d < options_.depth; ++d) queue_edit(i);
    loop_.flush(i);
  }
  loop_.run_until(after(bench_clock::now(), options_.warmup_seconds));
  measuring_ = true;
  const double cpu_start = cpu_seconds_now();
  const auto window_start = bench_clock::now();
  loop_.run_until(after(window_start, options_.seconds));
  load_outcome outcome;
  outcome.cpu_seconds = cpu_seconds_now() - cpu_start;
  outcome.wall_seconds = std::chrono::duration<double>(bench_clock::now() - window_start).count();
  measuring_ = false;
  stopping_ = true;
  loop_.close_all("closed");
  outcome.stats = std::move(stats_);
  outcome.fanout = std::move(checker_.result());
  return outcome;
}

std::optional<rooms_error> edit_load::open_connections() {
  const int total = options_.connections + options_.subscribers;
  editors_.resize(static_cast<std::size_t>(options_.connections));
  for (int i = 0; i < total; ++i) {
    auto stream = bench_connect(options_.host, options_.port, options_.tls);
    if (!stream) return stream.error();
    loop_.add(std::move(*stream));
    codecs_.push_back(make_codec_());
  }
  return std::nullopt;
}

// Every subscriber subscribes to every room, pipelined; the edits start once all are confirmed,
// so every event of the run has S receivers.
std::optional<rooms_error> edit_load::subscribe_all() {
  const std::size_t subscribers = static_cast<std::size_t>(options_.subscribers);
  if (subscribers == 0) return std::nullopt;
  for (std::size_t s = 0; s < subscribers; ++s) {
    const std::size_t index = editors_.size() + s;
    for (std::size_t room = 0; room < room_count_; ++room)
      codecs_[index]->encode_subscribe(loop_.out(index), static_cast<std::uint32_t>(room + 1),
                                       room);
    loop_.flush(index);
  }
  const auto give_up = after(bench_clock::now(), subscribe_timeout_seconds);
  const std::size_t expected = subscribers * room_count_;
  while (subscribed_ < expected && bench_clock::now() < give_up && stats_.error_count() == 0)
    loop_.run_until(std::min(give_up, after(bench_clock::now(), 0.1)));
  if (subscribed_ == expected) return std::nullopt;
  return rooms_error{error_code::unavailable,
                     fmt::format("only {} of {} subscriptions confirmed (errors: {})", subscribed_,
                                 expected, stats_.error_count())};
}

void edit_load::on_bytes(std::size_t index, const char* data, std::size_t size,
                         bench_clock::time_point now) {
  answers_.clear();
  if (!codecs_[index]->feed(data, size, answers_)) {
    stats_.record_error("malformed_answer");
    return loop_.close(index, "malformed_answer");
  }
  for (const wire_answer& answer : answers_) {
    if (index < editors_.size())
      on_editor_answer(index, answer, now);
    else
      on_subscriber_answer(index - editors_.size(), answer, now);
  }
}

void edit_load::on_closed(std::size_t, const char* reason) {
  if (!stopping_) stats_.record_error(reason);
}

void edit_load::on_editor_answer(std::size_t index, const wire_answer& answer,
                                 bench_clock::time_point now) {
  if (answer.what == wire_answer::kind::error_notification)
    return stats_.record_error(*answer.code);
  if (answer.what != wire_answer::kind::response) return;
  auto& in_flight = editors_[index].in_flight;
  auto sent = std::find_if(in_flight.begin(), in_flight.end(),
                           [&](const auto& entry) { return entry.first == answer.msgid; });
  if (sent == in_flight.end()) return stats_.record_error("unexpected_msgid");
  const auto latency = now - sent->second;
  *sent = in_flight.back();
  in_flight.pop_back();
  if (measuring_) stats_.record_response(answer.code, latency);
  if (!stopping_) queue_edit(index);
}

void edit_load::on_subscriber_answer(std::size_t subscriber, const wire_answer& answer,
                                     bench_clock::time_point now) {
  if (answer.what == wire_answer::kind::error_notification)
    return stats_.record_error(*answer.code);
  if (answer.what == wire_answer::kind::response) {
    if (answer.code) return stats_.record_error(*answer.code);
    ++subscribed_;
    return;
  }
  if (answer.what != wire_answer::kind::event) return;
  std::optional<std::uint32_t> latency;
  if (answer.stamp) latency = micros_since_epoch(now) - *answer.stamp;
  checker_.on_event(subscriber, stream_of(answer), answer.version, latency, measuring_);
}

std::size_t edit_load::stream_of(const wire_answer& answer) const {
  if (presence_seq_.empty()) return answer.room;
  const auto connections = static_cast<std::size_t>(options_.connections);
  if (answer.room >= room_count_ || answer.source >= connections) return wire_answer::npos;
  return answer.room * connections + answer.source;
}

void edit_load::queue_edit(std::size_t index) {
  const auto room = std::uniform_int_distribution<std::size_t>(0, room_count_ - 1)(random_);
  const auto cell = std::uniform_int_distribution<int>(0, cells_per_room - 1)(random_);
  editor& e = editors_[index];
  const std::uint32_t msgid = e.next_msgid++;
  const auto now = bench_clock::now();
  const auto value_bytes = static_cast<std::size_t>(options_.value_bytes);
  if (!presence_seq_.empty()) {
    const std::uint32_t seq = ++presence_seq_[index * room_count_ + room];
    codecs_[index]->encode_presence(loop_.out(index), msgid, room, index, seq,
                                    micros_since_epoch(now), value_bytes);
  } else {
    codecs_[index]->encode_edit(loop_.out(index), msgid, room, cell, micros_since_epoch(now),
                                value_bytes);
  }
  e.in_flight.emplace_back(msgid, now);
}

std::uint32_t edit_load::micros_since_epoch(bench_clock::time_point t) const {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t - epoch_).count());
}

}  // namespace rooms::bench
