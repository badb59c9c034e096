// churn_load: a failed step restarts its lifecycle with a create, so one error does not stall
// the slot (a failed create retries the create).
#include "bench/churn_load.hpp"

#include <algorithm>

#include "bench/tcp_connect.hpp"

namespace rooms::bench {

namespace {
constexpr const char* methods[] = {"create", "join", "leave", "delete"};
constexpr const char* step_users[] = {"bench", "guest", "guest", "bench"};
}  // namespace

churn_load::churn_load(const bench_options& options) : options_(options), loop_(*this) {}

result<load_outcome> churn_load::run() {
  for (int i = 0; i < options_.connections; ++i) {
    auto stream = bench_connect(options_.host, options_.port, options_.tls);
    if (!stream) return stream.error();
    loop_.add(std::move(*stream));
    codecs_.push_back(std::make_unique<rooms_codec>(no_rooms_, false));
  }
  connections_.resize(codecs_.size());
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    connections_[i].lifecycles.resize(static_cast<std::size_t>(options_.depth));
    for (lifecycle& l : connections_[i].lifecycles) send_step(i, l);
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
  stopping_ = true;
  loop_.close_all("closed");
  outcome.stats = std::move(stats_);
  return outcome;
}

void churn_load::on_bytes(std::size_t index, const char* data, std::size_t size,
                          bench_clock::time_point now) {
  answers_.clear();
  if (!codecs_[index]->feed(data, size, answers_)) {
    stats_.record_error("malformed_answer");
    return loop_.close(index, "malformed_answer");
  }
  for (const wire_answer& answer : answers_) on_answer(index, answer, now);
}

void churn_load::on_closed(std::size_t, const char* reason) {
  if (!stopping_) stats_.record_error(reason);
}

void churn_load::on_answer(std::size_t index, const wire_answer& answer,
                           bench_clock::time_point now) {
  if (answer.what == wire_answer::kind::error_notification)
    return stats_.record_error(*answer.code);
  if (answer.what != wire_answer::kind::response) return;
  auto& lifecycles = connections_[index].lifecycles;
  auto l = std::find_if(lifecycles.begin(), lifecycles.end(),
                        [&](const lifecycle& c) { return c.msgid == answer.msgid; });
  if (l == lifecycles.end()) return stats_.record_error("unexpected_msgid");
  if (measuring_) stats_.record_response(answer.code, now - l->sent);
  if (l->step == 0 && !answer.code) l->room = answer.result_room;
  l->step = answer.code || l->step == 3 ? 0 : l->step + 1;
  if (!stopping_) send_step(index, *l);
}

void churn_load::send_step(std::size_t index, lifecycle& l) {
  l.msgid = connections_[index].next_msgid++;
  l.sent = bench_clock::now();
  rooms_codec::encode_call(loop_.out(index), l.msgid, methods[l.step],
                           l.step == 0 ? std::string_view{} : std::string_view{l.room},
                           step_users[l.step]);
}

}  // namespace rooms::bench
