// redis_codec: the wire_codec for the do-it-yourself rooms on Redis that issue 6 compares
// against: a hash per room, a Lua script that bumps the room's version, writes the cell and
// PUBLISHes the change; subscribers SUBSCRIBE to the room channels. Encoding and reply parsing
// are hiredis's (redisFormatCommandArgv, redisReader).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "bench/room_catalog.hpp"
#include "bench/wire_codec.hpp"

struct redisReader;

namespace rooms::bench {

/// The script, loaded once with SCRIPT LOAD; EVALSHA calls it with KEYS[1] = room:<i>,
/// ARGV = cell:<k>, value. It returns the new version and publishes "<version>:<value>".
extern const char* const redis_edit_script;

/// Room `index` of a Redis run: key and channel `room:<index>`.
std::string redis_room_name(std::size_t index);

class redis_codec final : public wire_codec {
 public:
  /// `catalog` holds the redis_room_name of every room and must outlive the codec; `script_sha`
  /// is what SCRIPT LOAD answered for redis_edit_script.
  redis_codec(const room_catalog& catalog, std::string script_sha);
  ~redis_codec() override;

  void encode_edit(std::string& out, std::uint32_t msgid, std::size_t room, int cell,
                   std::uint32_t stamp, std::size_t value_bytes) override;
  /// Presence as a Redis user builds it: HSET presence:<room> c<source> <payload>, PEXPIRE of
  /// that hash, PUBLISH <room> <payload>, pipelined; payload "<source>:<seq>:<value>". The
  /// update counts as answered with the PUBLISH's reply.
  void encode_presence(std::string& out, std::uint32_t msgid, std::size_t room, std::size_t source,
                       std::uint32_t seq, std::uint32_t stamp, std::size_t value_bytes) override;
  void encode_subscribe(std::string& out, std::uint32_t msgid, std::size_t room) override;
  bool feed(const char* data, std::size_t size, std::vector<wire_answer>& answers) override;

 private:
  void format(std::string& out, int argc, const char** argv, const std::size_t* lengths);
  wire_answer decode(const void* reply);
  wire_answer decode_message(const void* reply) const;

  const room_catalog& catalog_;
  std::string script_sha_;
  redisReader* reader_;
  /// Redis answers a connection's commands in order: the msgid of each one still unanswered
  /// (no_msgid: a command whose reply only matters if it is an error).
  std::deque<std::uint32_t> waiting_;
  static constexpr std::uint32_t no_msgid = 0;
};

}  // namespace rooms::bench
