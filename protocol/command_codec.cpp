// Room commands to and from their wire form, for calls forwarded between cluster nodes.
#include "protocol/command_codec.hpp"

#include <msgpack.hpp>

#include "protocol/command_parser.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

value room_and_user(const std::string& room, const std::string& user) {
  value_map params;
  params.insert_or_assign("room", value::string(room));
  params.insert_or_assign("user", value::string(user));
  return value::map(std::move(params));
}

value room_only(const std::string& room) {
  value_map params;
  params.insert_or_assign("room", value::string(room));
  return value::map(std::move(params));
}

struct params_builder {
  value operator()(const delete_command& c) const { return room_and_user(c.room, c.user); }
  value operator()(const join_command& c) const { return room_and_user(c.room, c.user); }
  value operator()(const leave_command& c) const { return room_and_user(c.room, c.user); }
  value operator()(const get_command& c) const {
    value params = room_only(c.room);
    if (c.presence) params.as_map().insert_or_assign("presence", value::boolean(true));
    return params;
  }

  value operator()(const set_meta_command& c) const {
    value params = room_and_user(c.room, c.user);
    params.as_map().insert_or_assign("meta", c.meta);
    return params;
  }

  value operator()(const presence_command& c) const {
    value params = room_and_user(c.room, c.user);
    value_map& m = params.as_map();
    m.insert_or_assign("session", value::string(c.session));
    m.insert_or_assign("data", c.data);
    if (c.ttl_ms) m.insert_or_assign("ttl_ms", value::unsigned_integer(*c.ttl_ms));
    return params;
  }
  value operator()(const unsubscribe_command& c) const { return room_only(c.room); }

  value operator()(const expire_command& c) const {
    value params = room_and_user(c.room, c.user);
    const auto put = [&](const char* name, const expire_setting& setting) {
      if (!setting) return;
      params.as_map().insert_or_assign(name,
                                       *setting ? value::unsigned_integer(**setting) : value{});
    };
    put("idle_ms", c.idle_ms);
    put("empty_ms", c.empty_ms);
    return params;
  }

  value operator()(const subscribe_command& c) const {
    value params = room_only(c.room);
    if (c.since) params.as_map().insert_or_assign("since", value::unsigned_integer(*c.since));
    if (c.patch) params.as_map().insert_or_assign("patch", value::boolean(true));
    return params;
  }

  value operator()(const edit_command& c) const {
    value params = room_and_user(c.room, c.user);
    value_map& m = params.as_map();
    m.insert_or_assign("ops", c.ops);
    if (c.if_version) m.insert_or_assign("if_version", value::unsigned_integer(*c.if_version));
    if (c.key) m.insert_or_assign("key", value::string(*c.key));
    if (c.reply_version_only) m.insert_or_assign("reply", value::string("version"));
    return params;
  }
};

rooms_error not_a_command(std::string why) {
  return {error_code::invalid_argument, "forwarded command: " + std::move(why)};
}

}  // namespace

std::string_view method_of(const room_command& cmd) {
  return command_table[first_room_command + cmd.index()].name;
}

value params_of(const room_command& cmd) { return std::visit(params_builder{}, cmd); }

std::string encode_room_command(const room_command& cmd) {
  return to_msgpack_bytes(value::array({value::string(method_of(cmd)), params_of(cmd)}));
}

result<room_command> decode_room_command(std::string_view bytes, std::size_t max_depth) {
  // The array and the params map wrap the arguments.
  auto pair = value_from_msgpack_bytes(bytes, max_depth + 2);
  if (!pair) return not_a_command(pair.error().message);
  if (!pair->is_array() || pair->size() != 2 || !pair->as_array()[0].is_string())
    return not_a_command("not a [method, params] array");
  const value_array& items = pair->as_array();
  auto parsed = parse_command(items[0].as_string(), items[1]);
  if (!parsed) return parsed.error();
  auto* cmd = std::get_if<room_command>(&*parsed);
  if (cmd == nullptr) return not_a_command("not a room command");
  return std::move(*cmd);
}

}  // namespace rooms
