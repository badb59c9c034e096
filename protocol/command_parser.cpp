// Checks the named arguments of each method (PROTOCOL.md sections 2 and 4) and builds the typed
// command. Every failure is `invalid_argument` naming the argument, or `unknown_method`.
#include "protocol/command_parser.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace rooms {

namespace {

rooms_error bad_argument(std::string_view name, std::string_view why) {
  return {error_code::invalid_argument, fmt::format("argument '{}' {}", name, why)};
}

// The number of continuation bytes a UTF-8 lead byte announces, or -1 for an invalid lead.
int continuation_bytes(unsigned char lead) {
  if (lead < 0x80) return 0;
  if ((lead >> 5) == 0x6) return 1;
  if ((lead >> 4) == 0xe) return 2;
  if ((lead >> 3) == 0x1e) return 3;
  return -1;
}

// Strict UTF-8 validation: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_utf8(const std::string& s) {
  static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<unsigned char>(s[i]);
    int extra = continuation_bytes(lead);
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) return false;
    std::uint32_t cp = extra == 0 ? lead : lead & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next >> 6) != 0x2) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < smallest[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

const json* find(const json& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? nullptr : &*it;
}

result<std::string> required_string(const json& params, const char* name) {
  const json* value = find(params, name);
  if (value == nullptr) return bad_argument(name, "is missing");
  if (!value->is_string()) return bad_argument(name, "must be a string");
  return value->get<std::string>();
}

result<std::string> required_room(const json& params) { return required_string(params, "room"); }

result<std::string> required_user(const json& params) {
  const json* value = find(params, "user");
  if (value == nullptr) return bad_argument("user", "is missing");
  if (!is_valid_user_id(*value)) return bad_argument("user", "must be 1 to 256 bytes of UTF-8");
  return value->get<std::string>();
}

// Reads an optional unsigned integer; a nil value counts as absent.
result<std::optional<std::uint64_t>> optional_uint(const json& params, const char* name) {
  const json* value = find(params, name);
  if (value == nullptr || value->is_null()) return std::optional<std::uint64_t>{};
  if (!value->is_number_unsigned() &&
      !(value->is_number_integer() && value->get<std::int64_t>() >= 0))
    return bad_argument(name, "must be a non-negative integer");
  return std::optional<std::uint64_t>{value->get<std::uint64_t>()};
}

result<std::optional<std::string>> optional_string(const json& params, const char* name) {
  const json* value = find(params, name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>{};
  if (!value->is_string()) return bad_argument(name, "must be a string");
  return std::optional<std::string>{value->get<std::string>()};
}

// Two-argument commands (room and user) share their parsing.
template <class Command>
result<command> room_and_user(const json& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  return command{room_command{Command{std::move(*room), std::move(*user)}}};
}

result<command> parse_create(const json& params) {
  auto user = required_user(params);
  if (!user) return user.error();
  create_command cmd{std::move(*user)};
  if (const json* data = find(params, "data"); data != nullptr && !data->is_null()) {
    if (!data->is_object()) return bad_argument("data", "must be a map");
    cmd.data = *data;
  }
  return command{std::move(cmd)};
}

result<command> parse_edit(const json& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  edit_command cmd;
  cmd.room = std::move(*room);
  cmd.user = std::move(*user);
  const json* ops = find(params, "ops");
  if (ops == nullptr) return bad_argument("ops", "is missing");
  if (!ops->is_array()) return bad_argument("ops", "must be an array of op maps");
  cmd.ops = *ops;
  auto if_version = optional_uint(params, "if_version");
  if (!if_version) return if_version.error();
  cmd.if_version = *if_version;
  auto key = optional_string(params, "key");
  if (!key) return key.error();
  if (*key && ((*key)->empty() || (*key)->size() > max_key_bytes))
    return bad_argument("key", "must be 1 to 128 bytes");
  cmd.key = std::move(*key);
  auto reply = optional_string(params, "reply");
  if (!reply) return reply.error();
  if (*reply && **reply != "version" && **reply != "snapshot")
    return bad_argument("reply", "must be \"version\" or \"snapshot\"");
  cmd.reply_version_only = *reply && **reply == "version";
  return command{room_command{std::move(cmd)}};
}

result<command> parse_subscribe(const json& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto since = optional_uint(params, "since");
  if (!since) return since.error();
  return command{room_command{subscribe_command{std::move(*room), *since}}};
}

template <class Command>
result<command> room_only(const json& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  return command{room_command{Command{std::move(*room)}}};
}

result<command> parse_hello(const json& params) {
  auto token = optional_string(params, "token");
  if (!token) return token.error();
  auto client = optional_string(params, "client");
  if (!client) return client.error();
  return command{hello_command{std::move(*token), std::move(*client)}};
}

}  // namespace

bool is_known_method(std::string_view method) {
  static constexpr std::string_view known[] = {"create", "delete", "join",      "leave",
                                               "edit",   "get",    "subscribe", "unsubscribe",
                                               "hello",  "ping",   "stats"};
  return std::find(std::begin(known), std::end(known), method) != std::end(known);
}

bool is_valid_user_id(const json& value) {
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  return !s.empty() && s.size() <= max_user_bytes && is_utf8(s);
}

result<command> parse_command(std::string_view method, const json& params) {
  if (!params.is_object())
    return rooms_error{error_code::invalid_argument, "params must be an array holding one map"};
  if (method == "create") return parse_create(params);
  if (method == "delete") return room_and_user<delete_command>(params);
  if (method == "join") return room_and_user<join_command>(params);
  if (method == "leave") return room_and_user<leave_command>(params);
  if (method == "edit") return parse_edit(params);
  if (method == "get") return room_only<get_command>(params);
  if (method == "subscribe") return parse_subscribe(params);
  if (method == "unsubscribe") return room_only<unsubscribe_command>(params);
  if (method == "hello") return parse_hello(params);
  if (method == "ping") return command{ping_command{}};
  if (method == "stats") return command{stats_command{}};
  return rooms_error{error_code::unknown_method, fmt::format("unknown method '{}'", method)};
}

}  // namespace rooms
