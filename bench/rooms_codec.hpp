// rooms_codec: the wire_codec for a Rooms node (MessagePack-RPC, docs/protocol.md),
// and, with `echo`, for the echo server that sends each request back unchanged.
#pragma once

#include <memory>
#include <string_view>

#include <msgpack.hpp>

#include "bench/room_catalog.hpp"
#include "bench/wire_codec.hpp"

namespace rooms::bench {

class rooms_codec final : public wire_codec {
 public:
  /// `catalog` maps indexes to room ids and must outlive the codec. With `echo`, a request that
  /// comes back (`[0, msgid, ...]`) counts as the response to msgid. With `patch`, subscribes
  /// ask for patches (`patch: true`).
  rooms_codec(const room_catalog& catalog, bool echo, bool patch = false);

  void encode_edit(std::string& out, std::uint32_t msgid, std::size_t room, int cell,
                   std::uint32_t stamp, std::size_t value_bytes) override;
  void encode_presence(std::string& out, std::uint32_t msgid, std::size_t room, std::size_t source,
                       std::uint32_t seq, std::uint32_t stamp, std::size_t value_bytes) override;
  void encode_subscribe(std::string& out, std::uint32_t msgid, std::size_t room) override;
  bool feed(const char* data, std::size_t size, std::vector<wire_answer>& answers) override;

  /// Appends `[0, msgid, method, [{"user": user, "room": room}]]`, leaving out empty arguments
  /// (churn: create, join, leave, delete).
  static void encode_call(std::string& out, std::uint32_t msgid, std::string_view method,
                          std::string_view room, std::string_view user);

 private:
  wire_answer decode(const msgpack::object& message) const;
  wire_answer decode_event(const msgpack::object& params) const;
  wire_answer decode_presence(const msgpack::object& params) const;

  const room_catalog& catalog_;
  bool echo_;
  bool patch_;
  std::unique_ptr<msgpack::unpacker> unpacker_;
};

}  // namespace rooms::bench
