// bench_setup: setup speaks through the shared blocking clients (rooms_client; for Redis, one
// blocking exchange with hiredis's encoder and reader); only the measured load runs over the
// event loop.
#include "bench/bench_setup.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "bench/redis_codec.hpp"
#include "bench/tcp_connect.hpp"
#include "protocol/client/rooms_client.hpp"

namespace rooms::bench {

namespace {

constexpr std::size_t create_batch = 500;
/// Each fill edit stays far below the node's 1 MiB message limit.
constexpr std::size_t fill_chunk_bytes = 256 * 1024;

// Reads the answers to `count` pipelined creates and appends their room ids.
std::optional<rooms_error> collect_created(rooms_client& client, std::size_t count,
                                           std::vector<std::string>& rooms) {
  for (std::size_t i = 0; i < count;) {
    auto message = client.read_message();
    if (!message) return message.error();
    auto* answer = std::get_if<response>(&*message);
    if (!answer) continue;
    ++i;
    if (!answer->outcome) return answer->outcome.error();
    rooms.push_back(answer->outcome->at("room").get<std::string>());
  }
  return std::nullopt;
}

}  // namespace

result<std::vector<std::string>> create_rooms(const bench_options& options, std::size_t count) {
  auto client = rooms_client::connect(options.host, options.port, rooms_client::default_timeout, {},
                                      options.tls);
  if (!client) return client.error();
  const json params = {{"user", "bench"}, {"data", {{"cells", json::object()}}}};
  std::vector<std::string> rooms;
  rooms.reserve(count);
  for (std::size_t done = 0; done < count; done += create_batch) {
    const std::size_t batch = std::min(create_batch, count - done);
    for (std::size_t i = 0; i < batch; ++i)
      if (auto sent = client->send_request("create", params); !sent) return sent.error();
    if (auto error = collect_created(*client, batch, rooms)) return *error;
  }
  return rooms;
}

result<std::size_t> fill_room(const bench_options& options, const std::string& room,
                              std::size_t bytes) {
  auto client = rooms_client::connect(options.host, options.port, rooms_client::default_timeout, {},
                                      options.tls);
  if (!client) return client.error();
  const std::string chunk(fill_chunk_bytes, 'x');
  std::size_t filled = 0;
  for (std::size_t i = 0; filled < bytes; ++i) {
    const std::size_t size = std::min(fill_chunk_bytes, bytes - filled);
    const json op = {
        {"op", "set"}, {"path", fmt::format("/blob/{}", i)}, {"value", chunk.substr(0, size)}};
    const json params = {{"room", room}, {"user", "bench"}, {"ops", {op}}, {"reply", "version"}};
    auto answer = client->call("edit", params, std::chrono::seconds(60));
    if (!answer) return answer.error();
    filled += size;
  }
  return filled;
}

// SCRIPT LOAD over the bench's own connection (hiredis 0.14 has no TLS): the command as hiredis
// formats it, the reply read with hiredis's reader.
result<std::string> load_redis_script(const bench_options& options) {
  auto stream = bench_connect(options.host, options.port, options.tls);
  if (!stream) return rooms_error{error_code::unavailable, "Redis: " + stream.error().message};
  char* formatted = nullptr;
  const int length = redisFormatCommand(&formatted, "SCRIPT LOAD %s", redis_edit_script);
  if (length < 0) return rooms_error{error_code::internal, "cannot format SCRIPT LOAD"};
  const std::string command{formatted, static_cast<std::size_t>(length)};
  redisFreeCommand(formatted);
  const auto deadline = client_stream::clock::now() + std::chrono::seconds{10};
  if (auto error = stream->send_all(command, deadline)) return *error;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader{redisReaderCreate(),
                                                              &redisReaderFree};
  void* raw = nullptr;
  std::string chunk;
  while (raw == nullptr) {
    if (auto error = receive_some(*stream, chunk, deadline)) return *error;
    redisReaderFeed(reader.get(), chunk.data(), chunk.size());
    if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK)
      return rooms_error{error_code::unavailable, "Redis sent a reply hiredis cannot read"};
  }
  std::unique_ptr<redisReply, void (*)(void*)> reply{static_cast<redisReply*>(raw),
                                                     &freeReplyObject};
  if (reply->type != REDIS_REPLY_STRING)
    return rooms_error{error_code::unavailable,
                       fmt::format("SCRIPT LOAD failed: {}", std::string{reply->str, reply->len})};
  return std::string{reply->str, reply->len};
}

std::vector<std::string> redis_room_names(std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) names.push_back(redis_room_name(i));
  return names;
}

std::vector<std::string> echo_room_names(std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i)
    names.push_back(fmt::format("00000000-0000-4000-8000-{:012x}", i));
  return names;
}

}  // namespace rooms::bench
