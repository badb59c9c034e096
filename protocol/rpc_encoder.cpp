// The MessagePack-RPC frames, packed with msgpack-c around values packed by append_msgpack
// (docs/protocol.md).
#include "protocol/rpc_encoder.hpp"
#include "protocol/string_sink.hpp"

#include <msgpack.hpp>

#include "protocol/msgpack_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

enum message_type : std::uint8_t { request_type = 0, response_type = 1, notification_type = 2 };

void pack_str(msgpack::packer<string_sink>& packer, std::string_view text) {
  packer.pack_str(static_cast<std::uint32_t>(text.size()));
  packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

}  // namespace

std::string encode_response(std::uint32_t msgid, const json& result) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> packer{sink};
  packer.pack_array(4).pack_uint8(response_type).pack_uint32(msgid).pack_nil();
  append_msgpack(out, result);
  return out;
}

std::string encode_response(std::uint32_t msgid, const value& result) {
  std::string out;
  out.reserve(8 + packed_size(result));
  string_sink sink{out};
  msgpack::packer<string_sink> packer{sink};
  packer.pack_array(4).pack_uint8(response_type).pack_uint32(msgid).pack_nil();
  append_msgpack(out, result);
  return out;
}

std::string encode_error_response(std::uint32_t msgid, const rooms_error& error) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> packer{sink};
  packer.pack_array(4).pack_uint8(response_type).pack_uint32(msgid);
  append_msgpack(out, error.to_wire());
  packer.pack_nil();
  return out;
}

namespace {

// `[2, method, [` of a notification with one param, its map to be appended.
void append_notification_head(std::string& out, std::string_view method) {
  string_sink sink{out};
  msgpack::packer<string_sink> packer{sink};
  packer.pack_array(3).pack_uint8(notification_type);
  pack_str(packer, method);
  packer.pack_array(1);
}

}  // namespace

std::string encode_notification(std::string_view method, const json& params_map) {
  std::string out;
  append_notification_head(out, method);
  append_msgpack(out, params_map);
  return out;
}

std::string encode_packed_notification(std::string_view method,
                                       std::string_view packed_params_map) {
  std::string out;
  out.reserve(method.size() + packed_params_map.size() + 8);
  append_notification_head(out, method);
  out.append(packed_params_map);
  return out;
}

std::string encode_packed_notification(std::string_view method, std::string_view packed_params_map,
                                       std::string_view key, std::string_view packed_value) {
  std::string out;
  out.reserve(method.size() + packed_params_map.size() + key.size() + packed_value.size() + 16);
  append_notification_head(out, method);
  append_with_member(out, packed_params_map, key, packed_value);
  return out;
}

std::string encode_error_notification(const rooms_error& error) {
  return encode_notification("error", error.to_wire());
}

std::string encode_request(std::uint32_t msgid, std::string_view method, const json& params_map) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> packer{sink};
  packer.pack_array(4).pack_uint8(request_type).pack_uint32(msgid);
  pack_str(packer, method);
  packer.pack_array(1);
  append_msgpack(out, params_map);
  return out;
}

}  // namespace rooms
