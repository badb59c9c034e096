// rooms-cli's command line and printing without a node: options from the line and from
// ROOMS_HOST/ROOMS_PORT/ROOMS_TOKEN/ROOMS_TIMEOUT/ROOMS_TLS*, --field, the hint for an
// unquoted string, and floats that JSON cannot write.
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tools/cli_args.hpp"
#include "tools/cli_json.hpp"

namespace rooms::cli {

namespace {

// The environment a test sets, read through parse_cli's seam.
std::map<std::string, std::string> fake_environment;

std::optional<std::string> read_fake(const char* name) {
  const auto found = fake_environment.find(name);
  if (found == fake_environment.end()) return std::nullopt;
  return found->second;
}

result<cli_invocation> parse(std::vector<const char*> words,
                             std::map<std::string, std::string> environment = {}) {
  fake_environment = std::move(environment);
  words.insert(words.begin(), "rooms-cli");
  return parse_cli(static_cast<int>(words.size()), words.data(), read_fake);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_args)

BOOST_AUTO_TEST_CASE(host_and_port_come_from_the_environment_unless_given) {
  auto from_env = parse({"ping"}, {{"ROOMS_HOST", "10.1.2.3"},
                                   {"ROOMS_PORT", "7500"},
                                   {"ROOMS_TOKEN", "t"},
                                   {"ROOMS_TIMEOUT", "250"}});
  BOOST_REQUIRE(from_env.ok());
  BOOST_TEST(from_env->options.host == "10.1.2.3");
  BOOST_TEST(from_env->options.port == 7500);
  BOOST_TEST(*from_env->options.token == "t");
  BOOST_TEST(from_env->options.timeout.count() == 250);
  auto given = parse({"ping", "--port", "7600", "--host=localhost"},
                     {{"ROOMS_HOST", "10.1.2.3"}, {"ROOMS_PORT", "7500"}});
  BOOST_REQUIRE(given.ok());
  BOOST_TEST(given->options.host == "localhost");
  BOOST_TEST(given->options.port == 7600);
  auto defaults = parse({"ping"});
  BOOST_REQUIRE(defaults.ok());
  BOOST_TEST(defaults->options.host == "127.0.0.1");
  BOOST_TEST(defaults->options.port == 7420);
}

BOOST_AUTO_TEST_CASE(tls_comes_from_the_options_or_the_environment) {
  auto plain = parse({"ping"});
  BOOST_REQUIRE(plain.ok());
  BOOST_TEST(!plain->options.tls.enabled);

  auto flag = parse({"ping", "--tls"});
  BOOST_REQUIRE(flag.ok());
  BOOST_TEST(flag->options.tls.enabled);
  BOOST_TEST(flag->options.tls.files.ca.empty());  // the system's CAs

  auto files = parse({"--tls-ca", "ca.pem", "ping", "--tls-cert=c.pem", "--tls-key", "c.key"});
  BOOST_REQUIRE(files.ok());
  BOOST_TEST(files->options.tls.enabled);  // implied by the files
  BOOST_TEST(files->options.tls.files.ca == "ca.pem");
  BOOST_TEST(files->options.tls.files.cert == "c.pem");
  BOOST_TEST(files->options.tls.files.key == "c.key");

  auto from_env =
      parse({"ping", "--tls-ca", "line.pem"},
            {{"ROOMS_TLS_CA", "env.pem"}, {"ROOMS_TLS_CERT", "e.pem"}, {"ROOMS_TLS_KEY", "e.key"}});
  BOOST_REQUIRE(from_env.ok());
  BOOST_TEST(from_env->options.tls.files.ca == "line.pem");  // the line wins
  BOOST_TEST(from_env->options.tls.files.cert == "e.pem");

  auto switched = parse({"ping"}, {{"ROOMS_TLS", "1"}});
  BOOST_REQUIRE(switched.ok());
  BOOST_TEST(switched->options.tls.enabled);
  auto off = parse({"ping"}, {{"ROOMS_TLS", "0"}});
  BOOST_REQUIRE(off.ok());
  BOOST_TEST(!off->options.tls.enabled);

  auto half = parse({"ping", "--tls-cert", "c.pem"});
  BOOST_REQUIRE(!half.ok());
  BOOST_TEST(half.error().message.find("--tls-key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_environment_value_names_the_variable) {
  auto bad = parse({"ping"}, {{"ROOMS_PORT", "seventy"}});
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message.find("ROOMS_PORT") != std::string::npos, bad.error().message);
  auto too_big = parse({"ping"}, {{"ROOMS_PORT", "70000"}});
  BOOST_REQUIRE(!too_big.ok());
  BOOST_TEST(too_big.error().message.find("ROOMS_PORT") != std::string::npos);
  auto empty_host = parse({"ping"}, {{"ROOMS_HOST", ""}});
  BOOST_REQUIRE(!empty_host.ok());
  BOOST_TEST(empty_host.error().message == "ROOMS_HOST is empty");
  // A bad value on the line names the option, even with a good variable beside it.
  auto on_line = parse({"ping", "--port", "x"}, {{"ROOMS_PORT", "7500"}});
  BOOST_REQUIRE(!on_line.ok());
  BOOST_TEST(on_line.error().message.find("--port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bare_string_value_says_how_to_quote_it) {
  auto bare = parse({"edit", "r", "alice", "set", "/name", "bob"});
  BOOST_REQUIRE(!bare.ok());
  BOOST_TEST(bare.error().message ==
             "VALUE_JSON is not valid JSON: bob; a JSON string needs double quotes, which the "
             "shell keeps inside single quotes: '\"bob\"'");
  auto quoted = parse({"edit", "r", "alice", "set", "/name", "\"bob\""});
  BOOST_REQUIRE(quoted.ok());
  BOOST_TEST(std::get<call_command>(quoted->command).params["ops"][0]["value"] == "bob");
  // Broken JSON that is not a bare word gets no quoting advice.
  auto broken = parse({"create", "alice", "{\"a\":"});
  BOOST_REQUIRE(!broken.ok());
  BOOST_TEST(broken.error().message.find("double quotes") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(field_selects_a_member_or_a_pointer) {
  auto with_field = parse({"create", "alice", "--field", "room"});
  BOOST_REQUIRE(with_field.ok());
  BOOST_TEST(*with_field->options.field == "room");
  const json result = {{"room", "r1"}, {"data", {{"cells", {{"A1", 5}}}}}};
  BOOST_TEST(*select_field(result, "room") == "r1");
  BOOST_TEST(*select_field(result, "/data/cells/A1") == 5);
  BOOST_TEST(select_field(result, "missing") == nullptr);
  BOOST_TEST(select_field(result, "/data/nothing") == nullptr);
  BOOST_TEST(select_field(result, "/data/~2bad") == nullptr);
  BOOST_TEST(select_field(json::array({1}), "room") == nullptr);
}

BOOST_AUTO_TEST_CASE(non_finite_floats_print_as_such) {
  const json value = {{"a", std::numeric_limits<double>::quiet_NaN()},
                      {"b", std::numeric_limits<double>::infinity()},
                      {"c", json::array({-std::numeric_limits<double>::infinity(), 1.5})}};
  BOOST_TEST(to_text(value, true) == R"({"a":NaN,"b":Infinity,"c":[-Infinity,1.5]})");
  BOOST_TEST(to_text(value, false) ==
             "{\n  \"a\": NaN,\n  \"b\": Infinity,\n  \"c\": [\n    -Infinity,\n    1.5\n  ]\n}");
}

BOOST_AUTO_TEST_CASE(printing_matches_the_usual_json_layout) {
  const json value =
      json::parse(R"({"e":{},"l":[],"n":[1,{"x":"y\"z"}],"s":"\u00e9","u":18446744073709551615})");
  BOOST_TEST(to_text(value, true) == value.dump());
  BOOST_TEST(to_text(value, false) == value.dump(2));
  const json binary = {{"b", json::binary({1, 2, 3})}};
  BOOST_TEST(to_text(binary, true) == R"({"b":{"$binary":"AQID"}})");
}

BOOST_AUTO_TEST_CASE(presence_takes_data_session_and_ttl) {
  auto set = parse(
      {"presence", "r1", "bob", R"({"cursor": [1, 2]})", "--session", "tab", "--ttl", "30000"});
  BOOST_TEST_REQUIRE(set.ok());
  const auto& call = std::get<call_command>(set->command);
  BOOST_TEST(call.method == "presence");
  BOOST_TEST(call.params == (json{{"room", "r1"},
                                  {"user", "bob"},
                                  {"data", {{"cursor", {1, 2}}}},
                                  {"session", "tab"},
                                  {"ttl_ms", 30000}}));
  auto leave = parse({"presence", "r1", "bob", "null"});
  BOOST_TEST_REQUIRE(leave.ok());
  BOOST_TEST(std::get<call_command>(leave->command).params["data"].is_null());
  BOOST_TEST(!parse({"presence", "r1"}).ok());
  BOOST_TEST(!parse({"presence", "r1", "bob", "--ttl", "soon"}).ok());
  BOOST_TEST(!parse({"get", "r1", "--session", "tab"}).ok());  // presence only
}

BOOST_AUTO_TEST_CASE(meta_merges_a_json_object) {
  auto meta = parse({"meta", "r1", "bob", R"({"mode": "ranked", "seats": null})"});
  BOOST_TEST_REQUIRE(meta.ok());
  const auto& call = std::get<call_command>(meta->command);
  BOOST_TEST(call.method == "set_meta");
  BOOST_TEST(
      call.params ==
      (json{{"room", "r1"}, {"user", "bob"}, {"meta", {{"mode", "ranked"}, {"seats", nullptr}}}}));
  BOOST_TEST(!parse({"meta", "r1", "bob", "[1]"}).ok());
  BOOST_TEST(!parse({"meta", "r1", "bob"}).ok());
}

BOOST_AUTO_TEST_CASE(create_takes_meta_and_expiry_and_expire_sets_or_clears) {
  auto create = parse({"create", "alice", "--meta", R"({"mode": "ranked"})", "--idle", "60000"});
  BOOST_TEST_REQUIRE(create.ok());
  BOOST_TEST(
      std::get<call_command>(create->command).params ==
      (json{{"user", "alice"}, {"meta", {{"mode", "ranked"}}}, {"expire", {{"idle_ms", 60000}}}}));
  auto expire = parse({"expire", "r1", "alice", "--idle", "off", "--empty", "5000"});
  BOOST_TEST_REQUIRE(expire.ok());
  const auto& call = std::get<call_command>(expire->command);
  BOOST_TEST(call.method == "expire");
  BOOST_TEST(call.params ==
             (json{{"room", "r1"}, {"user", "alice"}, {"idle_ms", nullptr}, {"empty_ms", 5000}}));
  BOOST_TEST(!parse({"expire", "r1", "alice", "--idle", "soon"}).ok());
  BOOST_TEST(!parse({"expire", "r1"}).ok());
  BOOST_TEST(!parse({"get", "r1", "--idle", "5000"}).ok());
  BOOST_TEST(!parse({"join", "r1", "bob", "--meta", "{}"}).ok());
}

BOOST_AUTO_TEST_CASE(list_takes_one_condition_or_many_a_limit_and_a_page) {
  auto one = parse({"list", "--where", R"({"key": "mode", "eq": "ranked"})", "--limit", "10"});
  BOOST_TEST_REQUIRE(one.ok());
  BOOST_TEST(std::get<call_command>(one->command).params ==
             (json{{"where", json::array({{{"key", "mode"}, {"eq", "ranked"}}})}, {"limit", 10}}));
  auto many = parse({"list", "--where", R"([{"key": "$members", "lte": 3}])", "--after", "x"});
  BOOST_TEST_REQUIRE(many.ok());
  BOOST_TEST(std::get<call_command>(many->command).params ==
             (json{{"where", json::array({{{"key", "$members"}, {"lte", 3}}})}, {"after", "x"}}));
  BOOST_TEST(std::get<call_command>(parse({"list"})->command).params == json::object());
  BOOST_TEST(!parse({"list", "--limit", "1001"}).ok());
  BOOST_TEST(!parse({"list", "extra"}).ok());
  BOOST_TEST(!parse({"get", "r1", "--where", "{}"}).ok());
}

BOOST_AUTO_TEST_CASE(watch_takes_since_and_patch) {
  auto watch = parse({"watch", "r1", "--patch", "--since", "4"});
  BOOST_TEST_REQUIRE(watch.ok());
  const auto& command = std::get<watch_command>(watch->command);
  BOOST_TEST(command.room == "r1");
  BOOST_TEST(command.patch);
  BOOST_TEST(*command.since == 4u);
  auto plain = parse({"watch", "r1"});
  BOOST_TEST_REQUIRE(plain.ok());
  BOOST_TEST(!std::get<watch_command>(plain->command).patch);
  BOOST_TEST(!parse({"get", "r1", "--patch"}).ok());  // watch only
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::cli
