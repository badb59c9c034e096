// Checks the named arguments of each method (docs/protocol.md) and builds the typed
// command. Every failure is `invalid_argument` naming the argument, or `unknown_method`; an
// argument the method does not know is refused by name, with the one it was probably meant to be.
#include "protocol/command_parser.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocol/room_meta.hpp"

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
bool is_utf8(std::string_view s) {
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

const value* find(const value_map& params, const char* name) { return params.find(name); }

result<std::string> required_string(const value_map& params, const char* name) {
  const value* v = find(params, name);
  if (v == nullptr) return bad_argument(name, "is missing");
  if (!v->is_string()) return bad_argument(name, "must be a string");
  return std::string{v->as_string()};
}

result<std::string> required_room(const value_map& params) {
  return required_string(params, "room");
}

result<std::string> required_user(const value_map& params) {
  const value* v = find(params, "user");
  if (v == nullptr) return bad_argument("user", "is missing");
  if (!is_valid_user_id(*v)) return bad_argument("user", "must be 1 to 256 bytes of UTF-8");
  return std::string{v->as_string()};
}

// Reads an optional unsigned integer; a nil value counts as absent.
result<std::optional<std::uint64_t>> optional_uint(const value_map& params, const char* name) {
  const value* v = find(params, name);
  if (v == nullptr || v->is_nil()) return std::optional<std::uint64_t>{};
  if (!v->is_integer() || v->as_int128() < 0)
    return bad_argument(name, "must be a non-negative integer");
  return std::optional<std::uint64_t>{static_cast<std::uint64_t>(v->as_int128())};
}

// Reads an optional boolean flag; absent or nil is false.
result<bool> optional_flag(const value_map& params, const char* name) {
  const value* v = find(params, name);
  if (v == nullptr || v->is_nil()) return false;
  if (!v->is_bool()) return bad_argument(name, "must be true or false");
  return v->as_bool();
}

result<std::optional<std::string>> optional_string(const value_map& params, const char* name) {
  const value* v = find(params, name);
  if (v == nullptr || v->is_nil()) return std::optional<std::string>{};
  if (!v->is_string()) return bad_argument(name, "must be a string");
  return std::optional<std::string>{std::string{v->as_string()}};
}

// Two-argument commands (room and user) share their parsing.
template <class Command>
result<command> room_and_user(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  return command{room_command{Command{std::move(*room), std::move(*user)}}};
}

result<command> parse_create(const value_map& params) {
  auto user = required_user(params);
  if (!user) return user.error();
  create_command cmd{std::move(*user)};
  if (const value* data = find(params, "data"); data != nullptr && !data->is_nil()) {
    if (!data->is_map()) return bad_argument("data", "must be a map");
    cmd.data = *data;
  }
  if (const value* meta = find(params, "meta"); meta != nullptr && !meta->is_nil()) {
    if (auto error = check_meta(*meta, false)) return *error;
    cmd.meta = *meta;
  }
  if (const value* expire = find(params, "expire"); expire != nullptr && !expire->is_nil()) {
    auto policy = read_expire_policy(*expire);
    if (!policy) return policy.error();
    cmd.expire = *policy;
  }
  return command{std::move(cmd)};
}

result<command> parse_expire(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  auto idle = read_expire_setting(params, "idle_ms");
  if (!idle) return idle.error();
  auto empty = read_expire_setting(params, "empty_ms");
  if (!empty) return empty.error();
  return command{
      room_command{expire_command{std::move(*room), std::move(*user), *idle, *empty, false}}};
}

result<command> parse_list(const value_map& params) {
  auto query = read_list_query(params);
  if (!query) return query.error();
  return command{list_command{std::move(*query)}};
}

result<command> parse_set_meta(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  const value* meta = find(params, "meta");
  if (meta == nullptr) return bad_argument("meta", "is missing");
  if (auto error = check_meta(*meta, true)) return *error;
  return command{room_command{set_meta_command{std::move(*room), std::move(*user), *meta}}};
}

result<command> parse_edit(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  edit_command cmd;
  cmd.room = std::move(*room);
  cmd.user = std::move(*user);
  const value* ops = find(params, "ops");
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

result<command> parse_subscribe(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto since = optional_uint(params, "since");
  if (!since) return since.error();
  auto patch = optional_flag(params, "patch");
  if (!patch) return patch.error();
  return command{room_command{subscribe_command{std::move(*room), *since, *patch}}};
}

result<command> parse_get(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  get_command cmd{std::move(*room)};
  auto presence = optional_flag(params, "presence");
  if (!presence) return presence.error();
  cmd.presence = *presence;
  return command{room_command{std::move(cmd)}};
}

result<command> parse_presence(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  auto user = required_user(params);
  if (!user) return user.error();
  presence_command cmd;
  cmd.room = std::move(*room);
  cmd.user = std::move(*user);
  auto session = optional_string(params, "session");
  if (!session) return session.error();
  if (*session && ((*session)->size() > max_session_bytes || !is_utf8(**session)))
    return bad_argument("session", "must be 0 to 128 bytes of UTF-8");
  cmd.session = session->value_or("");
  // Absent: an empty map; nil: the entry leaves.
  if (const value* data = find(params, "data"); data != nullptr) {
    if (!data->is_map() && !data->is_nil()) return bad_argument("data", "must be a map or nil");
    cmd.data = *data;
  }
  auto ttl = optional_uint(params, "ttl_ms");
  if (!ttl) return ttl.error();
  if (*ttl && (**ttl < min_presence_ttl_ms || **ttl > max_presence_ttl_ms))
    return bad_argument("ttl_ms", "must be from 1000 to 3600000");
  cmd.ttl_ms = *ttl;
  return command{room_command{std::move(cmd)}};
}

template <class Command>
result<command> room_only(const value_map& params) {
  auto room = required_room(params);
  if (!room) return room.error();
  return command{room_command{Command{std::move(*room)}}};
}

result<command> parse_hello(const value_map& params) {
  auto token = optional_string(params, "token");
  if (!token) return token.error();
  auto client = optional_string(params, "client");
  if (!client) return client.error();
  return command{hello_command{std::move(*token), std::move(*client)}};
}

// The edit distance between two argument names (Levenshtein; names are short).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// True when `part` is one of the '_'-separated words of `name` ("key" in "idempotency_key").
bool has_word(std::string_view name, std::string_view part) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('_', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == part) return true;
    start = end + 1;
  }
  return false;
}

using parser = result<command> (*)(const value_map& params);

result<command> parse_ping(const value_map&) { return command{ping_command{}}; }
result<command> parse_stats(const value_map&) { return command{stats_command{}}; }

// The parse function of each row of command_table, in its order (a test parses a call of
// every method and checks that the command it makes is the row's).
constexpr parser parsers[] = {
    parse_create,
    room_and_user<delete_command>,
    room_and_user<join_command>,
    room_and_user<leave_command>,
    parse_edit,
    parse_get,
    parse_subscribe,
    room_only<unsubscribe_command>,
    parse_presence,
    parse_set_meta,
    parse_expire,
    parse_hello,
    parse_ping,
    parse_stats,
    parse_list,
};
static_assert(std::size(parsers) == command_table.size(), "one parser per row of command_table");

struct method_spec {
  std::string_view name;
  std::span<const std::string_view> arguments;
  parser parse;
};

std::optional<method_spec> find_method(std::string_view name) {
  const auto index = command_index(name);
  if (!index) return std::nullopt;
  const command_row& row = command_table[*index];
  return method_spec{row.name, {row.arguments.data(), row.argument_count}, parsers[*index]};
}

// The argument of `spec` that `unknown` was probably meant to be: one or two typing mistakes
// away (one for short names), or one word of it ("idempotency_key" for "key").
std::optional<std::string_view> closest_argument(const method_spec& spec,
                                                 std::string_view unknown) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view known : spec.arguments) {
    const std::size_t allowed = known.size() <= 4 ? 1 : 2;
    std::size_t distance = edit_distance(unknown, known);
    if (distance > allowed && (has_word(unknown, known) || has_word(known, unknown)))
      distance = allowed;
    if (distance <= allowed && distance < best_distance) {
      best = known;
      best_distance = distance;
    }
  }
  return best;
}

std::optional<rooms_error> unknown_argument(const method_spec& spec, const value_map& params) {
  for (const auto& member : params) {
    const std::string_view name = member.key.as_string();
    if (std::find(spec.arguments.begin(), spec.arguments.end(), name) != spec.arguments.end())
      continue;
    std::string message = fmt::format("unknown argument '{}' of {}", name, spec.name);
    if (auto meant = closest_argument(spec, name))
      message += fmt::format("; did you mean '{}'?", *meant);
    else if (spec.arguments.empty())
      message += fmt::format("; {} takes no arguments", spec.name);
    else
      message += fmt::format("; {} takes {}", spec.name, fmt::join(spec.arguments, ", "));
    return rooms_error{error_code::invalid_argument, std::move(message)};
  }
  return std::nullopt;
}

}  // namespace

bool is_known_method(std::string_view method) { return command_index(method).has_value(); }

bool is_valid_user_id(const value& v) {
  if (!v.is_string()) return false;
  const std::string_view s = v.as_string();
  return !s.empty() && s.size() <= max_user_bytes && is_utf8(s);
}

result<command> parse_command(std::string_view method, const value& params) {
  const auto spec = find_method(method);
  if (!spec)
    return rooms_error{error_code::unknown_method, fmt::format("unknown method '{}'", method)};
  if (!params.is_map())
    return rooms_error{error_code::invalid_argument, "params must be an array holding one map"};
  if (auto error = unknown_argument(*spec, params.as_map())) return *error;
  return spec->parse(params.as_map());
}

}  // namespace rooms
