// Encoding of the MessagePack-RPC messages a node or a client sends: responses, error
// responses, notifications and requests (docs/protocol.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/rooms_error.hpp"
#include "protocol/value.hpp"

namespace rooms {

using json = nlohmann::json;

/// `[1, msgid, nil, result]`.
std::string encode_response(std::uint32_t msgid, const json& result);
std::string encode_response(std::uint32_t msgid, const value& result);

/// `[1, msgid, {"code", "message", ...details}, nil]`.
std::string encode_error_response(std::uint32_t msgid, const rooms_error& error);

/// `[2, method, [params_map]]`. `params_map` should be an object; it is written as given.
std::string encode_notification(std::string_view method, const json& params_map);

/// The same, with the params map already encoded (`packed_params_map`, one MessagePack map).
std::string encode_packed_notification(std::string_view method, std::string_view packed_params_map);

/// The same, with the params map made one member longer: the string `key`, then
/// `packed_value` (an encoded value) after the map's other members.
std::string encode_packed_notification(std::string_view method, std::string_view packed_params_map,
                                       std::string_view key, std::string_view packed_value);

/// `[2, "error", [{"code", "message", ...details}]]`: the answer to a message with no msgid.
std::string encode_error_notification(const rooms_error& error);

/// `[0, msgid, method, [params_map]]`. `params_map` should be an object.
std::string encode_request(std::uint32_t msgid, std::string_view method, const json& params_map);

}  // namespace rooms
