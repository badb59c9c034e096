// Room commands to and from their wire form, for calls forwarded between cluster nodes.
#include "protocol/command_codec.hpp"

#include <msgpack.hpp>

#include "protocol/command_parser.hpp"
#include "protocol/msgpack_json.hpp"

namespace rooms {

namespace {

struct params_builder {
  json operator()(const delete_command& c) const { return {{"room", c.room}, {"user", c.user}}; }
  json operator()(const join_command& c) const { return {{"room", c.room}, {"user", c.user}}; }
  json operator()(const leave_command& c) const { return {{"room", c.room}, {"user", c.user}}; }
  json operator()(const get_command& c) const { return {{"room", c.room}}; }
  json operator()(const unsubscribe_command& c) const { return {{"room", c.room}}; }

  json operator()(const subscribe_command& c) const {
    json params{{"room", c.room}};
    if (c.since) params["since"] = *c.since;
    return params;
  }

  json operator()(const edit_command& c) const {
    json params{{"room", c.room}, {"user", c.user}, {"ops", c.ops}};
    if (c.if_version) params["if_version"] = *c.if_version;
    if (c.key) params["key"] = *c.key;
    if (c.reply_version_only) params["reply"] = "version";
    return params;
  }
};

struct method_namer {
  std::string_view operator()(const delete_command&) const { return "delete"; }
  std::string_view operator()(const join_command&) const { return "join"; }
  std::string_view operator()(const leave_command&) const { return "leave"; }
  std::string_view operator()(const edit_command&) const { return "edit"; }
  std::string_view operator()(const get_command&) const { return "get"; }
  std::string_view operator()(const subscribe_command&) const { return "subscribe"; }
  std::string_view operator()(const unsubscribe_command&) const { return "unsubscribe"; }
};

rooms_error not_a_command(std::string why) {
  return {error_code::invalid_argument, "forwarded command: " + std::move(why)};
}

}  // namespace

std::string_view method_of(const room_command& cmd) { return std::visit(method_namer{}, cmd); }

json params_of(const room_command& cmd) { return std::visit(params_builder{}, cmd); }

std::string encode_room_command(const room_command& cmd) {
  return to_msgpack_bytes(json::array({method_of(cmd), params_of(cmd)}));
}

result<room_command> decode_room_command(std::string_view bytes, std::size_t max_depth) {
  // The array and the params map wrap the arguments.
  auto pair = from_msgpack_bytes(bytes, max_depth + 2);
  if (!pair) return not_a_command(pair.error().message);
  if (!pair->is_array() || pair->size() != 2 || !(*pair)[0].is_string())
    return not_a_command("not a [method, params] array");
  auto parsed = parse_command((*pair)[0].get<std::string>(), (*pair)[1]);
  if (!parsed) return parsed.error();
  auto* cmd = std::get_if<room_command>(&*parsed);
  if (cmd == nullptr) return not_a_command("not a room command");
  return std::move(*cmd);
}

}  // namespace rooms
