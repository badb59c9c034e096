// list_load: setup over pipelined batches, then one query at a time on a blocking client (the
// client's own cost is the same at every size, so the ratio between sizes is the node's).
#include "bench/list_load.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "protocol/client/rooms_client.hpp"

namespace rooms::bench {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
constexpr int batch = 500;

int groups_of(const bench_options& options) { return std::max(1, options.rooms / list_group_size); }

// -- Rooms -------------------------------------------------------------------------------------

std::optional<rooms_error> create_grouped_rooms(rooms_client& client, int count) {
  for (int done = 0; done < count; done += batch) {
    const int n = std::min(batch, count - done);
    for (int i = 0; i < n; ++i) {
      const json params = {{"user", "bench"}, {"meta", {{"g", (done + i) / list_group_size}}}};
      if (auto sent = client.send_request("create", params); !sent) return sent.error();
    }
    for (int i = 0; i < n;) {
      auto message = client.read_message(std::chrono::seconds(60));
      if (!message) return message.error();
      auto* answer = std::get_if<response>(&*message);
      if (answer == nullptr) continue;
      ++i;
      if (!answer->outcome) return answer->outcome.error();
    }
  }
  return std::nullopt;
}

std::optional<std::string> rooms_query(rooms_client& client, int group) {
  const json params = {{"where", {{{"key", "g"}, {"eq", group}}}}, {"limit", list_group_size}};
  auto answer = client.call("list", params);
  if (!answer) return std::string{to_string(answer.error().code)};
  if ((*answer)["rooms"].size() != static_cast<std::size_t>(list_group_size))
    return std::string{"wrong_count"};
  return std::nullopt;
}

// -- Redis -------------------------------------------------------------------------------------

using redis_ptr = std::unique_ptr<redisContext, void (*)(redisContext*)>;
using reply_ptr = std::unique_ptr<redisReply, void (*)(void*)>;

result<redis_ptr> redis_connect(const bench_options& options) {
  redis_ptr context{redisConnect(options.host.c_str(), options.port), &redisFree};
  if (!context || context->err)
    return rooms_error{error_code::unavailable,
                       fmt::format("cannot connect to Redis at {}:{}: {}", options.host,
                                   options.port, context ? context->errstr : "out of memory")};
  return context;
}

result<reply_ptr> redis_reply(redisContext* context) {
  void* raw = nullptr;
  if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr)
    return rooms_error{error_code::unavailable, context->errstr};
  reply_ptr reply{static_cast<redisReply*>(raw), &freeReplyObject};
  if (reply->type == REDIS_REPLY_ERROR)
    return rooms_error{error_code::internal, std::string{reply->str, reply->len}};
  return reply;
}

// Room i is the hash room:<36-character id> with its entry's fields, in the sorted set g:<g>.
std::optional<rooms_error> create_redis_rooms(redisContext* context, int count) {
  for (int done = 0; done < count; done += batch) {
    const int n = std::min(batch, count - done);
    for (int i = 0; i < n; ++i) {
      const int index = done + i;
      const std::string id =
          fmt::format("{:08x}-0000-4000-8000-{:012x}", index * 2654435761u, index);
      const std::string group = std::to_string(index / list_group_size);
      redisAppendCommand(context, "HSET room:%s owner bench version 1 members 1 g %s", id.c_str(),
                         group.c_str());
      redisAppendCommand(context, "ZADD g:%s 0 %s", group.c_str(), id.c_str());
    }
    for (int i = 0; i < 2 * n; ++i)
      if (auto reply = redis_reply(context); !reply) return reply.error();
  }
  return std::nullopt;
}

std::optional<std::string> redis_query(redisContext* context, int group) {
  auto ids = redis_reply(context);  // the ZRANGEBYLEX appended by the caller
  if (!ids) return std::string{"redis_error"};
  if ((*ids)->type != REDIS_REPLY_ARRAY || (*ids)->elements != list_group_size)
    return std::string{"wrong_count"};
  for (std::size_t i = 0; i < (*ids)->elements; ++i)
    redisAppendCommand(context, "HGETALL room:%s", (*ids)->element[i]->str);
  for (std::size_t i = 0; i < (*ids)->elements; ++i) {
    auto entry = redis_reply(context);
    if (!entry || (*entry)->type != REDIS_REPLY_ARRAY || (*entry)->elements != 8)
      return std::string{"wrong_entry"};
  }
  (void)group;
  return std::nullopt;
}

// Runs `query(group)` one at a time: warmup, then the window.
template <class Query>
list_outcome measure(const bench_options& options, Query&& query) {
  list_outcome outcome;
  std::mt19937 random(42);
  std::uniform_int_distribution<int> pick(0, groups_of(options) - 1);
  const auto run = [&](double seconds, bool counted) {
    const auto until = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                               std::chrono::duration<double>(seconds));
    while (clock_type::now() < until) {
      const auto sent = clock_type::now();
      auto error = query(pick(random));
      if (counted) outcome.stats.record_response(error, clock_type::now() - sent);
    }
  };
  run(options.warmup_seconds, false);
  const auto start = clock_type::now();
  run(options.seconds, true);
  outcome.wall_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return outcome;
}

}  // namespace

result<list_outcome> run_list_load(const bench_options& options) {
  const auto setup_start = clock_type::now();
  if (options.target == "redis") {
    auto context = redis_connect(options);
    if (!context) return context.error();
    if (!options.no_setup)
      if (auto error = create_redis_rooms(context->get(), options.rooms)) return *error;
    const double setup = std::chrono::duration<double>(clock_type::now() - setup_start).count();
    auto outcome = measure(options, [&](int group) {
      const std::string key = fmt::format("g:{}", group);
      redisAppendCommand(context->get(), "ZRANGEBYLEX %s - + LIMIT 0 %d", key.c_str(),
                         list_group_size);
      return redis_query(context->get(), group);
    });
    outcome.setup_seconds = setup;
    return outcome;
  }
  auto client = rooms_client::connect(options.host, options.port, rooms_client::default_timeout, {},
                                      options.tls);
  if (!client) return client.error();
  if (!options.no_setup)
    if (auto error = create_grouped_rooms(*client, options.rooms)) return *error;
  const double setup = std::chrono::duration<double>(clock_type::now() - setup_start).count();
  auto outcome = measure(options, [&](int group) { return rooms_query(*client, group); });
  outcome.setup_seconds = setup;
  return outcome;
}

void print_list_report(const bench_options& options, list_outcome& outcome, std::FILE* out) {
  auto& stats = outcome.stats;
  const double rate = outcome.wall_seconds > 0 ? stats.ok_count() / outcome.wall_seconds : 0;
  fmt::print(out, "workload list on {}: {} rooms in groups of {}, setup {:.1f} s{}\n",
             options.target, options.rooms, list_group_size, outcome.setup_seconds,
             options.no_setup ? " (skipped)" : "");
  fmt::print(out, "list calls/s: {:.0f} ({} ok, {} errors)\n", rate, stats.ok_count(),
             stats.error_count());
  fmt::print(out, "latency us: p50 {} p99 {} p99.9 {}\n", stats.quantile(0.5), stats.quantile(0.99),
             stats.quantile(0.999));
  for (const auto& [code, count] : stats.errors()) fmt::print(out, "error {}: {}\n", code, count);
  if (!options.json) return;
  const json line = {{"workload", "list"},
                     {"target", options.target},
                     {"rooms", options.rooms},
                     {"ok", stats.ok_count()},
                     {"errors", stats.error_count()},
                     {"calls_per_s", rate},
                     {"p50_us", stats.quantile(0.5)},
                     {"p99_us", stats.quantile(0.99)},
                     {"p999_us", stats.quantile(0.999)},
                     {"setup_seconds", outcome.setup_seconds}};
  fmt::print(out, "{}\n", line.dump());
}

}  // namespace rooms::bench
