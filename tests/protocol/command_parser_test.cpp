// Argument checking of every method (docs/protocol.md).
#include "protocol/command_parser.hpp"
#include "protocol/command_codec.hpp"
#include "protocol/value_json.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace rooms {

namespace {

struct bad_case {
  const char* method;
  const char* params;
  error_code expected;
};

std::ostream& operator<<(std::ostream& out, const bad_case& c) {
  return out << c.method << " " << c.params;
}

const std::string room = "3f2b8c1e-5d4a-4f7b-9c2e-1a6b7d8e9f00";

const bad_case bad_cases[] = {
    {"create", R"({})", error_code::invalid_argument},
    {"create", R"({"user": ""})", error_code::invalid_argument},
    {"create", R"({"user": 5})", error_code::invalid_argument},
    {"create", R"({"user": "a", "data": [1]})", error_code::invalid_argument},
    {"create", R"({"user": "a", "data": "x"})", error_code::invalid_argument},
    {"join", R"({"user": "a"})", error_code::invalid_argument},
    {"join", R"({"room": 7, "user": "a"})", error_code::invalid_argument},
    {"leave", R"({"room": "r"})", error_code::invalid_argument},
    {"delete", R"({"room": "r", "user": null})", error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a"})", error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": {}})", error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "if_version": -1})",
     error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "if_version": "1"})",
     error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "key": ""})", error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "key": 5})", error_code::invalid_argument},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "reply": "all"})",
     error_code::invalid_argument},
    {"get", R"({})", error_code::invalid_argument},
    {"subscribe", R"({"room": "r", "since": 1.5})", error_code::invalid_argument},
    {"unsubscribe", R"({})", error_code::invalid_argument},
    {"hello", R"({"token": 1})", error_code::invalid_argument},
    {"frobnicate", R"({})", error_code::unknown_method},
};

struct unknown_case {
  const char* method;
  const char* params;
  const char* message;
};

std::ostream& operator<<(std::ostream& out, const unknown_case& c) {
  return out << c.method << " " << c.params;
}

// Every method refuses an argument it does not know, by name, with the likely one when close.
const unknown_case unknown_cases[] = {
    {"edit", R"({"room": "r", "user": "a", "ops": [], "if_verison": 1})",
     "unknown argument 'if_verison' of edit; did you mean 'if_version'?"},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "idempotency_key": "x"})",
     "unknown argument 'idempotency_key' of edit; did you mean 'key'?"},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "keys": "x"})",
     "unknown argument 'keys' of edit; did you mean 'key'?"},
    {"edit", R"({"room": "r", "user": "a", "op": []})",
     "unknown argument 'op' of edit; did you mean 'ops'?"},
    {"edit", R"({"room": "r", "user": "a", "ops": [], "replay": "version"})",
     "unknown argument 'replay' of edit; did you mean 'reply'?"},
    {"create", R"({"user": "a", "dta": {}})",
     "unknown argument 'dta' of create; did you mean 'data'?"},
    {"create", R"({"owner": "a"})",
     "unknown argument 'owner' of create; create takes user, data, meta, expire"},
    {"delete", R"({"room": "r", "usr": "a"})",
     "unknown argument 'usr' of delete; did you mean 'user'?"},
    {"join", R"({"room_id": "r", "user": "a"})",
     "unknown argument 'room_id' of join; did you mean 'room'?"},
    {"leave", R"({"room": "r", "user": "a", "force": true})",
     "unknown argument 'force' of leave; leave takes room, user"},
    {"get", R"({"room": "r", "user": "a"})",
     "unknown argument 'user' of get; get takes room, presence"},
    {"subscribe", R"({"room": "r", "snce": 3})",
     "unknown argument 'snce' of subscribe; did you mean 'since'?"},
    {"unsubscribe", R"({"rooms": "r"})",
     "unknown argument 'rooms' of unsubscribe; did you mean 'room'?"},
    {"hello", R"({"tokne": "t"})", "unknown argument 'tokne' of hello; did you mean 'token'?"},
    {"ping", R"({"x": 1})", "unknown argument 'x' of ping; ping takes no arguments"},
    {"stats", R"({"verbose": true})",
     "unknown argument 'verbose' of stats; stats takes no arguments"},
};

}  // namespace

// The arguments written as JSON, parsed from their value form (as the decoder hands them over).
result<command> parse_json(std::string_view method, const json& params) {
  return parse_command(method, json_to_value(params));
}

bool is_valid_user_id_json(const json& id) { return is_valid_user_id(json_to_value(id)); }

BOOST_AUTO_TEST_SUITE(command_parser)

BOOST_DATA_TEST_CASE(unknown_arguments_are_refused_by_name,
                     boost::unit_test::data::make(unknown_cases), c) {
  auto parsed = parse_json(c.method, json::parse(c.params));
  BOOST_REQUIRE(!parsed.ok());
  BOOST_TEST((parsed.error().code == error_code::invalid_argument));
  BOOST_TEST(parsed.error().message == c.message);
}

BOOST_AUTO_TEST_CASE(each_row_of_the_command_table_parses_into_its_own_command) {
  const std::string room = "3f2b8c1e-5d4a-4f7b-9c2e-1a6b7d8e9f00";
  for (std::size_t row = 0; row < command_table.size(); ++row) {
    const std::string_view name = command_table[row].name;
    BOOST_TEST_CONTEXT("method " << name) {
      json params = json::object();
      for (std::size_t a = 0; a < command_table[row].argument_count; ++a) {
        const std::string_view arg = command_table[row].arguments[a];
        if (arg == "room") params["room"] = room;
        if (arg == "user") params["user"] = "alice";
        if (arg == "ops") params["ops"] = json::array();
        if (arg == "meta") params["meta"] = json::object();
      }
      auto parsed = parse_json(std::string{name}, params);
      BOOST_TEST_REQUIRE(parsed.ok());
      BOOST_TEST(is_known_method(name));
      if (row == 0) {
        BOOST_TEST(std::holds_alternative<create_command>(*parsed));
      } else if (row < first_room_command + room_command_count) {
        const auto* cmd = std::get_if<room_command>(&*parsed);
        BOOST_TEST_REQUIRE(cmd != nullptr);
        BOOST_TEST(cmd->index() == row - first_room_command);
        BOOST_TEST(method_of(*cmd) == name);
      } else {
        // hello, ping, stats: the command variant's last three alternatives, in that order.
        BOOST_TEST(parsed->index() == row - first_room_command - room_command_count + 2);
      }
    }
  }
  BOOST_TEST(method_names.size() == command_table.size());
}

BOOST_AUTO_TEST_CASE(an_unknown_method_is_named_before_its_arguments) {
  auto parsed = parse_json("frobnicate", json{{"x", 1}});
  BOOST_REQUIRE(!parsed.ok());
  BOOST_TEST((parsed.error().code == error_code::unknown_method));
}

BOOST_DATA_TEST_CASE(malformed_arguments_are_refused, boost::unit_test::data::make(bad_cases), c) {
  auto parsed = parse_json(c.method, json::parse(c.params));
  BOOST_REQUIRE(!parsed.ok());
  BOOST_TEST((parsed.error().code == c.expected));
  BOOST_TEST(!parsed.error().message.empty());
}

BOOST_AUTO_TEST_CASE(an_edit_with_every_option) {
  auto parsed = parse_json("edit", json{{"room", room},
                                        {"user", "alice"},
                                        {"ops", json::array({{{"op", "test"}}})},
                                        {"if_version", 3},
                                        {"key", "k-1"},
                                        {"reply", "version"}});
  BOOST_REQUIRE(parsed.ok());
  const auto& cmd = std::get<edit_command>(std::get<room_command>(*parsed));
  BOOST_TEST(cmd.room == room);
  BOOST_TEST(cmd.user == "alice");
  BOOST_TEST(cmd.ops.size() == 1u);
  BOOST_TEST(*cmd.if_version == 3u);
  BOOST_TEST(*cmd.key == "k-1");
  BOOST_TEST(cmd.reply_version_only);
}

BOOST_AUTO_TEST_CASE(user_ids_are_1_to_256_bytes_of_utf8) {
  BOOST_TEST(is_valid_user_id_json(json(std::string(256, 'u'))));
  BOOST_TEST(!is_valid_user_id_json(json(std::string(257, 'u'))));
  BOOST_TEST(is_valid_user_id_json(json("J\xc3\xbcrgen")));
  BOOST_TEST(!is_valid_user_id_json(json("bad\xc3")));
  BOOST_TEST(!is_valid_user_id_json(json("\xc0\x80")));         // overlong
  BOOST_TEST(!is_valid_user_id_json(json("\xed\xa0\x80")));     // surrogate
  BOOST_TEST(is_valid_user_id_json(json("\xf0\x9f\x98\x80")));  // emoji
  BOOST_TEST(!is_valid_user_id_json(json::binary({'a'})));
}

BOOST_AUTO_TEST_CASE(keys_are_1_to_128_bytes) {
  json params{{"room", room}, {"user", "a"}, {"ops", json::array()}};
  params["key"] = std::string(128, 'k');
  BOOST_TEST(parse_json("edit", params).ok());
  params["key"] = std::string(129, 'k');
  BOOST_TEST(!parse_json("edit", params).ok());
}

BOOST_AUTO_TEST_CASE(methods_without_arguments_accept_an_empty_map) {
  BOOST_TEST(std::holds_alternative<ping_command>(*parse_json("ping", json::object())));
  BOOST_TEST(std::holds_alternative<stats_command>(*parse_json("stats", json::object())));
  BOOST_TEST(std::holds_alternative<hello_command>(*parse_json("hello", json::object())));
}

BOOST_AUTO_TEST_CASE(create_data_defaults_to_an_empty_map) {
  auto parsed = parse_json("create", json{{"user", "alice"}});
  BOOST_TEST(value_to_json(std::get<create_command>(*parsed).data) == json::object());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
