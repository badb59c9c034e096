// redis_codec: replies come back in command order, so msgids are matched through a queue;
// pub/sub messages ("message", channel, payload) are the events.
#include "bench/redis_codec.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "bench/value_stamp.hpp"

namespace rooms::bench {

const char* const redis_edit_script =
    "local v = redis.call('HINCRBY', KEYS[1], 'version', 1)\n"
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
    "redis.call('PUBLISH', KEYS[1], v .. ':' .. ARGV[2])\n"
    "return v\n";

namespace {

std::string_view text_of(const redisReply* r) { return {r->str, r->len}; }

// The index in "room:<index>", or npos.
std::size_t room_index_of(std::string_view channel) {
  constexpr std::string_view prefix = "room:";
  if (!channel.starts_with(prefix)) return wire_answer::npos;
  std::size_t index = 0;
  auto [end, ec] =
      std::from_chars(channel.data() + prefix.size(), channel.data() + channel.size(), index);
  return ec == std::errc{} && end == channel.data() + channel.size() ? index : wire_answer::npos;
}

}  // namespace

std::string redis_room_name(std::size_t index) { return fmt::format("room:{}", index); }

redis_codec::redis_codec(const room_catalog& catalog, std::string script_sha)
    : catalog_(catalog), script_sha_(std::move(script_sha)), reader_(redisReaderCreate()) {}

redis_codec::~redis_codec() { redisReaderFree(reader_); }

void redis_codec::format(std::string& out, int argc, const char** argv,
                         const std::size_t* lengths) {
  char* command = nullptr;
  const int size = redisFormatCommandArgv(&command, argc, argv, lengths);
  if (size > 0) out.append(command, static_cast<std::size_t>(size));
  redisFreeCommand(command);
}

void redis_codec::encode_edit(std::string& out, std::uint32_t msgid, std::size_t room, int cell,
                              std::uint32_t stamp, std::size_t value_bytes) {
  char field[32];
  const std::size_t field_size =
      static_cast<std::size_t>(fmt::format_to_n(field, sizeof field, "cell:{}", cell).out - field);
  // Redis stores strings only; an integer value is its stamp's 8 characters.
  const std::string value = stamped_value(stamp, value_bytes);
  const std::string& key = catalog_.name(room);
  const char* argv[] = {"EVALSHA", script_sha_.data(), "1", key.data(), field, value.data()};
  const std::size_t lengths[] = {7, script_sha_.size(), 1, key.size(), field_size, value.size()};
  format(out, 6, argv, lengths);
  waiting_.push_back(msgid);
}

void redis_codec::encode_presence(std::string& out, std::uint32_t msgid, std::size_t room,
                                  std::size_t source, std::uint32_t seq, std::uint32_t stamp,
                                  std::size_t value_bytes) {
  const std::string& channel = catalog_.name(room);
  const std::string key = "presence:" + channel;
  const std::string field = fmt::format("c{}", source);
  const std::string payload =
      fmt::format("{}:{}:{}", source, seq, stamped_value(stamp, value_bytes));
  const std::string ttl = std::to_string(presence_ttl_ms);
  const char* hset[] = {"HSET", key.data(), field.data(), payload.data()};
  const std::size_t hset_lengths[] = {4, key.size(), field.size(), payload.size()};
  format(out, 4, hset, hset_lengths);
  const char* pexpire[] = {"PEXPIRE", key.data(), ttl.data()};
  const std::size_t pexpire_lengths[] = {7, key.size(), ttl.size()};
  format(out, 3, pexpire, pexpire_lengths);
  const char* publish[] = {"PUBLISH", channel.data(), payload.data()};
  const std::size_t publish_lengths[] = {7, channel.size(), payload.size()};
  format(out, 3, publish, publish_lengths);
  waiting_.push_back(no_msgid);
  waiting_.push_back(no_msgid);
  waiting_.push_back(msgid);
}

void redis_codec::encode_subscribe(std::string& out, std::uint32_t msgid, std::size_t room) {
  const std::string& channel = catalog_.name(room);
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  const std::size_t lengths[] = {9, channel.size()};
  format(out, 2, argv, lengths);
  waiting_.push_back(msgid);
}

bool redis_codec::feed(const char* data, std::size_t size, std::vector<wire_answer>& answers) {
  if (redisReaderFeed(reader_, data, size) != REDIS_OK) return false;
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) return false;
    if (!reply) return true;
    answers.push_back(decode(reply));
    freeReplyObject(reply);
  }
}

wire_answer redis_codec::decode(const void* raw) {
  const auto* reply = static_cast<const redisReply*>(raw);
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
      reply->element[0]->type == REDIS_REPLY_STRING && text_of(reply->element[0]) == "message")
    return decode_message(reply);
  if (waiting_.empty()) return {};
  const std::uint32_t msgid = waiting_.front();
  waiting_.pop_front();
  std::optional<std::string> code;
  if (reply->type == REDIS_REPLY_ERROR) {
    const std::string_view text = text_of(reply);
    code = std::string{text.substr(0, text.find(' '))};
  }
  if (msgid == no_msgid) return code ? wire_answer::error_notification(*code) : wire_answer{};
  wire_answer a = wire_answer::response_to(msgid);
  a.code = std::move(code);
  if (reply->type == REDIS_REPLY_INTEGER) {
    a.version = static_cast<std::uint64_t>(reply->integer);
  }
  return a;
}

wire_answer redis_codec::decode_message(const void* raw) const {
  const auto* reply = static_cast<const redisReply*>(raw);
  wire_answer a = wire_answer::event();
  a.room = room_index_of(text_of(reply->element[1]));
  std::string_view payload = text_of(reply->element[2]);
  std::size_t colon = payload.find(':');
  if (colon == std::string_view::npos) return a;
  // An edit publishes "<version>:<value>", a presence update "<source>:<seq>:<value>" (values
  // are hex and filler, never a colon).
  if (const std::size_t second = payload.find(':', colon + 1); second != std::string_view::npos) {
    std::size_t source = 0;
    if (std::from_chars(payload.data(), payload.data() + colon, source).ec == std::errc{})
      a.source = source;
    payload.remove_prefix(colon + 1);
    colon = second - colon - 1;
  }
  std::from_chars(payload.data(), payload.data() + colon, a.version);
  a.stamp = read_stamp(payload.substr(colon + 1));
  return a;
}

}  // namespace rooms::bench
