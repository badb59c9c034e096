// Tests of actors/room/edit_engine: every op's happy path and error cases (docs/protocol.md),
// atomicity, limits, number types, and random edits checked against invariants and against
// nlohmann's json::patch() and merge_patch() as oracles.
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "actors/room/edit_engine.hpp"
#include "protocol/msgpack_json.hpp"
#include "tests/room/json_document.hpp"

namespace bdata = boost::unit_test::data;
using rooms::error_code;
using rooms::json;
using rooms::testing::apply_edit;
using rooms::testing::make_doc;
using rooms::testing::patch_problem;

namespace {

std::string code_of(const rooms::rooms_error& error) {
  return std::string{rooms::to_string(error.code)};
}

// Byte-exact: the same values with the same MessagePack types.
bool same_bytes(const json& a, const json& b) {
  return rooms::to_msgpack_bytes(a) == rooms::to_msgpack_bytes(b);
}

struct success_case {
  std::string name;
  std::string data;
  std::string ops;
  std::string expected;
};

std::ostream& operator<<(std::ostream& out, const success_case& c) { return out << c.name; }

const std::vector<success_case> success_cases = {
    {"add member", R"({"a":1})", R"([{"op":"add","path":"/b","value":[1,2]}])",
     R"({"a":1,"b":[1,2]})"},
    {"add replaces member", R"({"a":1})", R"([{"op":"add","path":"/a","value":"x"}])",
     R"({"a":"x"})"},
    {"add inserts element", R"({"l":[1,3]})", R"([{"op":"add","path":"/l/1","value":2}])",
     R"({"l":[1,2,3]})"},
    {"add appends with -", R"({"l":[1]})", R"([{"op":"add","path":"/l/-","value":2}])",
     R"({"l":[1,2]})"},
    {"add appends at length", R"({"l":[1]})", R"([{"op":"add","path":"/l/1","value":2}])",
     R"({"l":[1,2]})"},
    {"add replaces root", R"({"a":1})", R"([{"op":"add","path":"","value":{"b":2}}])",
     R"({"b":2})"},
    {"add escaped key", R"({})", R"([{"op":"add","path":"/a~1b~0c","value":1}])", R"({"a/b~c":1})"},
    {"add empty key", R"({})", R"([{"op":"add","path":"/","value":1}])", R"({"":1})"},
    {"add ignores unknown members", R"({})", R"([{"op":"add","path":"/a","value":1,"x":2}])",
     R"({"a":1})"},
    {"remove member", R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])", R"({"b":2})"},
    {"remove element", R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/1"}])", R"({"l":[1,3]})"},
    {"replace member", R"({"a":1})", R"([{"op":"replace","path":"/a","value":null}])",
     R"({"a":null})"},
    {"replace element", R"({"l":[1,2]})", R"([{"op":"replace","path":"/l/1","value":{}}])",
     R"({"l":[1,{}]})"},
    {"replace root", R"({"a":1})", R"([{"op":"replace","path":"","value":{}}])", R"({})"},
    {"move member", R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])",
     R"({"a":{},"b":{"y":1}})"},
    {"move element within its array", R"({"l":["all","grass","cows","eat"]})",
     R"([{"op":"move","from":"/l/1","path":"/l/3"}])", R"({"l":["all","cows","eat","grass"]})"},
    {"move to the same place", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])",
     R"({"a":1})"},
    {"move a map to the root", R"({"a":{"x":1}})", R"([{"op":"move","from":"/a","path":""}])",
     R"({"x":1})"},
    {"move into an array", R"({"a":5,"l":[1]})", R"([{"op":"move","from":"/a","path":"/l/0"}])",
     R"({"l":[5,1]})"},
    {"copy member", R"({"a":[1]})", R"([{"op":"copy","from":"/a","path":"/b"}])",
     R"({"a":[1],"b":[1]})"},
    {"copy is independent", R"({"a":{"x":1}})",
     R"([{"op":"copy","from":"/a","path":"/b"},{"op":"replace","path":"/b/x","value":2}])",
     R"({"a":{"x":1},"b":{"x":2}})"},
    {"copy the root into itself", R"({"a":1})", R"([{"op":"copy","from":"","path":"/c"}])",
     R"({"a":1,"c":{"a":1}})"},
    {"test numbers by value", R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])",
     R"({"a":1})"},
    {"test maps ignore order", R"({"m":{"x":1,"y":[true]}})",
     R"([{"op":"test","path":"/m","value":{"y":[true],"x":1}}])", R"({"m":{"x":1,"y":[true]}})"},
    {"test the root", R"({"a":1})", R"([{"op":"test","path":"","value":{"a":1}}])", R"({"a":1})"},
    {"set creates", R"({})", R"([{"op":"set","path":"/a","value":1}])", R"({"a":1})"},
    {"set overwrites", R"({"a":{"b":1}})", R"([{"op":"set","path":"/a","value":2}])", R"({"a":2})"},
    {"set creates intermediate maps", R"({"a":{}})",
     R"([{"op":"set","path":"/a/b/c/d","value":true}])", R"({"a":{"b":{"c":{"d":true}}}})"},
    {"set replaces element", R"({"l":[1,2]})", R"([{"op":"set","path":"/l/0","value":9}])",
     R"({"l":[9,2]})"},
    {"set appends with -", R"({"l":[1]})", R"([{"op":"set","path":"/l/-","value":2}])",
     R"({"l":[1,2]})"},
    {"set appends at length", R"({"l":[1]})", R"([{"op":"set","path":"/l/1","value":2}])",
     R"({"l":[1,2]})"},
    {"set the root", R"({"a":1})", R"([{"op":"set","path":"","value":{"b":[]}}])", R"({"b":[]})"},
    {"merge overwrites", R"({"a":"b"})", R"([{"op":"merge","path":"","value":{"a":"c"}}])",
     R"({"a":"c"})"},
    {"merge adds", R"({"a":"b"})", R"([{"op":"merge","path":"","value":{"b":"c"}}])",
     R"({"a":"b","b":"c"})"},
    {"merge nil deletes", R"({"a":"b","b":"c"})",
     R"([{"op":"merge","path":"","value":{"a":null,"z":null}}])", R"({"b":"c"})"},
    {"merge replaces arrays", R"({"a":[{"b":"c"}]})",
     R"([{"op":"merge","path":"","value":{"a":[1,null]}}])", R"({"a":[1,null]})"},
    {"merge a map over a scalar", R"({"a":"c"})",
     R"([{"op":"merge","path":"","value":{"a":{"b":null,"c":1}}}])", R"({"a":{"c":1}})"},
    {"merge nested", R"({"a":{"b":"c","d":1}})",
     R"([{"op":"merge","path":"","value":{"a":{"b":"d","d":null}}}])", R"({"a":{"b":"d"}})"},
    {"merge keeps nil members of the target", R"({"e":null})",
     R"([{"op":"merge","path":"","value":{"a":1}}])", R"({"e":null,"a":1})"},
    {"merge creates empty maps", R"({})",
     R"([{"op":"merge","path":"","value":{"a":{"bb":{"ccc":null}}}}])", R"({"a":{"bb":{}}})"},
    {"merge at a path", R"({"m":{"x":1}})", R"([{"op":"merge","path":"/m","value":{"y":2}}])",
     R"({"m":{"x":1,"y":2}})"},
    {"merge creates a missing target", R"({})",
     R"([{"op":"merge","path":"/m/n","value":{"a":1,"b":null}}])", R"({"m":{"n":{"a":1}}})"},
    {"merge replaces a scalar target", R"({"m":5})",
     R"([{"op":"merge","path":"/m","value":{"a":1}}])", R"({"m":{"a":1}})"},
    {"merge into an element", R"({"l":[{"a":1}]})",
     R"([{"op":"merge","path":"/l/0","value":{"b":2}}])", R"({"l":[{"a":1,"b":2}]})"},
    {"merge appends", R"({"l":[]})", R"([{"op":"merge","path":"/l/-","value":{"a":1,"z":null}}])",
     R"({"l":[{"a":1}]})"},
    {"incr", R"({"n":1})", R"([{"op":"incr","path":"/n","by":2}])", R"({"n":3})"},
    {"incr a missing target", R"({})", R"([{"op":"incr","path":"/c","by":5}])", R"({"c":5})"},
    {"incr creates intermediate maps", R"({})", R"([{"op":"incr","path":"/a/b","by":-1}])",
     R"({"a":{"b":-1}})"},
    {"incr int by float", R"({"n":1})", R"([{"op":"incr","path":"/n","by":0.5}])", R"({"n":1.5})"},
    {"incr float stays float", R"({"n":2.0})", R"([{"op":"incr","path":"/n","by":1}])",
     R"({"n":3.0})"},
    {"incr int by integral float", R"({"n":1})", R"([{"op":"incr","path":"/n","by":1.0}])",
     R"({"n":2.0})"},
    {"incr uint by negative", R"({"n":5})", R"([{"op":"incr","path":"/n","by":-7}])",
     R"({"n":-2})"},
    {"incr negative to positive", R"({"n":-3})", R"([{"op":"incr","path":"/n","by":10}])",
     R"({"n":7})"},
    {"incr uint max down", R"({"n":18446744073709551615})",
     R"([{"op":"incr","path":"/n","by":-1}])", R"({"n":18446744073709551614})"},
    {"incr 2^63 by -2^63", R"({"n":9223372036854775808})",
     R"([{"op":"incr","path":"/n","by":-9223372036854775808}])", R"({"n":0})"},
    {"incr int64 min up", R"({"n":-9223372036854775808})",
     R"([{"op":"incr","path":"/n","by":9223372036854775807}])", R"({"n":-1})"},
    {"incr element", R"({"l":[1]})", R"([{"op":"incr","path":"/l/0","by":1}])", R"({"l":[2]})"},
    {"incr appends", R"({"l":[]})", R"([{"op":"incr","path":"/l/-","by":3}])", R"({"l":[3]})"},
    {"empty ops", R"({"a":1})", R"([])", R"({"a":1})"},
    {"ops see earlier ops", R"({})",
     R"([{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},
         {"op":"test","path":"/a/0","value":1},{"op":"move","from":"/a","path":"/b"}])",
     R"({"b":[1]})"},
};

BOOST_AUTO_TEST_SUITE(edit_engine)

BOOST_DATA_TEST_CASE(ops_apply, bdata::make(success_cases), c) {
  rooms::testing::json_document doc = make_doc(json::parse(c.data));
  const auto error = apply_edit(doc, json::parse(c.ops), {});
  BOOST_REQUIRE_MESSAGE(!error, (error ? error->message : ""));
  const json expected = json::parse(c.expected);
  BOOST_CHECK_MESSAGE(doc.data == expected, doc.data.dump() << " != " << expected.dump());
  BOOST_TEST(same_bytes(doc.data, expected));
  BOOST_TEST(doc.packed_bytes == rooms::packed_size(doc.data));
  const std::string problem = patch_problem(json::parse(c.data), doc.patch, doc.data);
  BOOST_CHECK_MESSAGE(problem.empty(), problem);
}

// The patch of each op kind, exactly (docs/protocol.md, section 6: what `patch: true` sends).
const std::vector<success_case> patch_cases = {
    {"incr existing", R"({"n":1})", R"([{"op":"incr","path":"/n","by":2}])",
     R"([{"op":"replace","path":"/n","value":3}])"},
    {"incr missing creates maps", R"({})", R"([{"op":"incr","path":"/a/n","by":2.5}])",
     R"([{"op":"add","path":"/a","value":{}},{"op":"add","path":"/a/n","value":2.5}])"},
    {"append with -", R"({"l":[1]})", R"([{"op":"add","path":"/l/-","value":2}])",
     R"([{"op":"add","path":"/l/1","value":2}])"},
    {"set appends with -", R"({"l":[]})", R"([{"op":"set","path":"/l/-","value":"x"}])",
     R"([{"op":"add","path":"/l/0","value":"x"}])"},
    {"array insert", R"({"l":[1,2]})", R"([{"op":"add","path":"/l/0","value":0}])",
     R"([{"op":"add","path":"/l/0","value":0}])"},
    {"set overwrites element", R"({"l":[1,2]})", R"([{"op":"set","path":"/l/1","value":5}])",
     R"([{"op":"replace","path":"/l/1","value":5}])"},
    {"merge with nil", R"({"m":{"a":1,"b":2,"d":{"e":1}}})",
     R"([{"op":"merge","path":"/m","value":{"a":null,"c":3,"d":{"e":null},"z":null}}])",
     R"([{"op":"remove","path":"/m/a"},{"op":"add","path":"/m/c","value":3},
         {"op":"remove","path":"/m/d/e"}])"},
    {"merge replaces a scalar", R"({"m":1})",
     R"([{"op":"merge","path":"/m","value":{"a":{"b":null}}}])",
     R"([{"op":"replace","path":"/m","value":{"a":{}}}])"},
    {"move", R"({"a":1,"l":[1,2,3]})",
     R"([{"op":"move","from":"/a","path":"/b"},{"op":"move","from":"/l/0","path":"/l/2"}])",
     R"([{"op":"remove","path":"/a"},{"op":"add","path":"/b","value":1},
         {"op":"remove","path":"/l/0"},{"op":"add","path":"/l/2","value":1}])"},
    {"copy", R"({"a":[1]})", R"([{"op":"copy","from":"/a","path":"/b"}])",
     R"([{"op":"add","path":"/b","value":[1]}])"},
    {"test is nothing", R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])", R"([])"},
    {"remove", R"({"a":1})", R"([{"op":"remove","path":"/a"}])",
     R"([{"op":"remove","path":"/a"}])"},
    {"escaped keys", R"({})", R"([{"op":"set","path":"/a~1b/~0","value":true}])",
     R"([{"op":"add","path":"/a~1b","value":{}},{"op":"add","path":"/a~1b/~0","value":true}])"},
    {"a map key named -", R"({"m":{}})", R"([{"op":"set","path":"/m/-","value":1}])",
     R"([{"op":"add","path":"/m/-","value":1}])"},
    {"root", R"({"a":1})", R"([{"op":"set","path":"","value":{"b":2}}])",
     R"([{"op":"replace","path":"","value":{"b":2}}])"},
};

struct failure_case {
  std::string name;
  std::string data;
  std::string ops;
  error_code code;
  std::size_t index;
};

std::ostream& operator<<(std::ostream& out, const failure_case& c) { return out << c.name; }

constexpr auto invalid = error_code::invalid_argument;
constexpr auto failed = error_code::patch_failed;

const std::vector<failure_case> failure_cases = {
    {"op not a map", R"({})", R"([1])", invalid, 0},
    {"op an array", R"({})", R"([[]])", invalid, 0},
    {"op missing", R"({})", R"([{"path":"/a"}])", invalid, 0},
    {"op not a string", R"({})", R"([{"op":1,"path":"/a"}])", invalid, 0},
    {"unknown op", R"({})", R"([{"op":"spam","path":"/a"}])", invalid, 0},
    {"ops are case sensitive", R"({})", R"([{"op":"ADD","path":"/a","value":1}])", invalid, 0},
    {"path missing", R"({"a":1})", R"([{"op":"remove"}])", invalid, 0},
    {"path nil", R"({})", R"([{"op":"add","path":null,"value":1}])", invalid, 0},
    {"path a number", R"({})", R"([{"op":"add","path":1,"value":1}])", invalid, 0},
    {"path without slash", R"({"a":1})", R"([{"op":"add","path":"a","value":1}])", invalid, 0},
    {"path with bad escape", R"({})", R"([{"op":"add","path":"/a~2","value":1}])", invalid, 0},
    {"path ending in ~", R"({})", R"([{"op":"add","path":"/a~","value":1}])", invalid, 0},
    {"from missing", R"({"a":1})", R"([{"op":"move","path":"/b"}])", invalid, 0},
    {"from not a string", R"({"a":1})", R"([{"op":"copy","from":[],"path":"/b"}])", invalid, 0},
    {"from not a pointer", R"({"a":1})", R"([{"op":"move","from":"a","path":"/b"}])", invalid, 0},
    {"add without value", R"({})", R"([{"op":"add","path":"/a"}])", invalid, 0},
    {"replace without value", R"({"a":1})", R"([{"op":"replace","path":"/a"}])", invalid, 0},
    {"test without value", R"({"a":null})", R"([{"op":"test","path":"/a"}])", invalid, 0},
    {"set without value", R"({})", R"([{"op":"set","path":"/a"}])", invalid, 0},
    {"merge without value", R"({})", R"([{"op":"merge","path":"/a"}])", invalid, 0},
    {"merge an array", R"({"a":[]})", R"([{"op":"merge","path":"/a","value":[1]}])", invalid, 0},
    {"merge a string", R"({})", R"([{"op":"merge","path":"","value":"x"}])", invalid, 0},
    {"merge nil", R"({"a":1})", R"([{"op":"merge","path":"/a","value":null}])", invalid, 0},
    {"incr without by", R"({"n":1})", R"([{"op":"incr","path":"/n"}])", invalid, 0},
    {"incr by a string", R"({"n":1})", R"([{"op":"incr","path":"/n","by":"1"}])", invalid, 0},
    {"incr by a boolean", R"({"n":1})", R"([{"op":"incr","path":"/n","by":true}])", invalid, 0},
    {"incr by nil", R"({"n":1})", R"([{"op":"incr","path":"/n","by":null}])", invalid, 0},
    {"add an array at the root", R"({})", R"([{"op":"add","path":"","value":[]}])", invalid, 0},
    {"replace the root by a number", R"({})", R"([{"op":"replace","path":"","value":1}])", invalid,
     0},
    {"set the root to a string", R"({})", R"([{"op":"set","path":"","value":"x"}])", invalid, 0},
    {"remove the root", R"({})", R"([{"op":"remove","path":""}])", invalid, 0},
    {"second op malformed", R"({})",
     R"([{"op":"add","path":"/b","value":1},{"op":"nope","path":""}])", invalid, 1},
    {"add under a missing parent", R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])",
     failed, 0},
    {"add past the end", R"({"l":[1]})", R"([{"op":"add","path":"/l/3","value":1}])", failed, 0},
    {"add at a leading zero", R"({"l":[1]})", R"([{"op":"add","path":"/l/01","value":1}])", failed,
     0},
    {"add at -1", R"({"l":[1]})", R"([{"op":"add","path":"/l/-1","value":1}])", failed, 0},
    {"add at 1e0", R"({"l":[1,2]})", R"([{"op":"add","path":"/l/1e0","value":1}])", failed, 0},
    {"add a member to an array", R"({"l":[]})", R"([{"op":"add","path":"/l/x","value":1}])", failed,
     0},
    {"add under a scalar", R"({"a":1})", R"([{"op":"add","path":"/a/b","value":1}])", failed, 0},
    {"add under nil", R"({"a":null})", R"([{"op":"add","path":"/a/b","value":1}])", failed, 0},
    {"remove a missing member", R"({"a":1})", R"([{"op":"remove","path":"/b"}])", failed, 0},
    {"remove -", R"({"l":[1]})", R"([{"op":"remove","path":"/l/-"}])", failed, 0},
    {"remove past the end", R"({"l":[1]})", R"([{"op":"remove","path":"/l/1"}])", failed, 0},
    {"remove at a leading zero", R"({"l":[1,2]})", R"([{"op":"remove","path":"/l/01"}])", failed,
     0},
    {"remove deep missing", R"({"a":1})", R"([{"op":"remove","path":"/x/y"}])", failed, 0},
    {"replace a missing member", R"({"a":1})", R"([{"op":"replace","path":"/b","value":1}])",
     failed, 0},
    {"replace past the end", R"({"l":[1,2]})", R"([{"op":"replace","path":"/l/2","value":1}])",
     failed, 0},
    {"replace -", R"({"l":[1]})", R"([{"op":"replace","path":"/l/-","value":1}])", failed, 0},
    {"move from missing", R"({"a":1})", R"([{"op":"move","from":"/b","path":"/c"}])", failed, 0},
    {"move into its own child", R"({"a":{"b":1}})",
     R"([{"op":"move","from":"/a","path":"/a/b/c"}])", failed, 0},
    {"move the root into a child", R"({"a":{}})", R"([{"op":"move","from":"","path":"/a/x"}])",
     failed, 0},
    {"move under a missing parent", R"({"a":1,"b":[2]})",
     R"([{"op":"move","from":"/b/0","path":"/x/y"}])", failed, 0},
    {"move a number to the root", R"({"a":1})", R"([{"op":"move","from":"/a","path":""}])", failed,
     0},
    {"copy from missing", R"({"a":1})", R"([{"op":"copy","from":"/b","path":"/c"}])", failed, 0},
    {"copy under a missing parent", R"({"a":1})", R"([{"op":"copy","from":"/a","path":"/x/y"}])",
     failed, 0},
    {"copy a list to the root", R"({"a":[]})", R"([{"op":"copy","from":"/a","path":""}])", failed,
     0},
    {"test not equal", R"({"a":"qux"})", R"([{"op":"test","path":"/a","value":"bar"}])", failed, 0},
    {"test missing", R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])", failed, 0},
    {"test true is not 1", R"({"a":true})", R"([{"op":"test","path":"/a","value":1}])", failed, 0},
    {"test 1 is not true", R"({"a":1})", R"([{"op":"test","path":"/a","value":true}])", failed, 0},
    {"test string is not number", R"({"a":10})", R"([{"op":"test","path":"/a","value":"10"}])",
     failed, 0},
    {"test uint max is not -1", R"({"a":18446744073709551615})",
     R"([{"op":"test","path":"/a","value":-1}])", failed, 0},
    {"test exact integer against float", R"({"a":9007199254740993})",
     R"([{"op":"test","path":"/a","value":9007199254740992.0}])", failed, 0},
    {"test 1e0 is no index", R"({"l":[1,2]})", R"([{"op":"test","path":"/l/1e0","value":2}])",
     failed, 0},
    {"test 00 is no index", R"({"l":[1]})", R"([{"op":"test","path":"/l/00","value":1}])", failed,
     0},
    {"set past the end", R"({"l":[1]})", R"([{"op":"set","path":"/l/5","value":1}])", failed, 0},
    {"set a member of an array", R"({"l":[1]})", R"([{"op":"set","path":"/l/x","value":1}])",
     failed, 0},
    {"set under a scalar", R"({"a":1})", R"([{"op":"set","path":"/a/b","value":1}])", failed, 0},
    {"set under nil", R"({"a":null})", R"([{"op":"set","path":"/a/b/c","value":1}])", failed, 0},
    {"set creates no array elements", R"({"l":[]})", R"([{"op":"set","path":"/l/0/x","value":1}])",
     failed, 0},
    {"set under a scalar after creating maps", R"({"a":{}})",
     R"([{"op":"set","path":"/a/b/c","value":1},{"op":"set","path":"/a/b/c/d","value":1}])", failed,
     1},
    {"merge under a scalar", R"({"a":1})", R"([{"op":"merge","path":"/a/b","value":{}}])", failed,
     0},
    {"merge past the end", R"({"l":[1]})", R"([{"op":"merge","path":"/l/5","value":{}}])", failed,
     0},
    {"incr a string", R"({"n":"1"})", R"([{"op":"incr","path":"/n","by":1}])", failed, 0},
    {"incr a boolean", R"({"n":true})", R"([{"op":"incr","path":"/n","by":1}])", failed, 0},
    {"incr a map", R"({"n":{}})", R"([{"op":"incr","path":"/n","by":1}])", failed, 0},
    {"incr nil", R"({"n":null})", R"([{"op":"incr","path":"/n","by":1}])", failed, 0},
    {"incr the root", R"({})", R"([{"op":"incr","path":"","by":1}])", invalid, 0},
    {"incr past uint max", R"({"n":18446744073709551615})", R"([{"op":"incr","path":"/n","by":1}])",
     failed, 0},
    {"incr past int64 min", R"({"n":-9223372036854775808})",
     R"([{"op":"incr","path":"/n","by":-1}])", failed, 0},
    {"incr two large unsigned", R"({"n":9223372036854775808})",
     R"([{"op":"incr","path":"/n","by":9223372036854775808}])", failed, 0},
    {"incr past the end", R"({"l":[]})", R"([{"op":"incr","path":"/l/1","by":1}])", failed, 0},
    {"failed test after changes", R"({"a":1,"b":[1,2],"c":"x"})",
     R"([{"op":"set","path":"/a","value":2},{"op":"remove","path":"/b/0"},
         {"op":"test","path":"/c","value":"y"},{"op":"add","path":"/d","value":1}])",
     failed, 2},
    {"failed move after moves and copies", R"({"x":{"k":[1]},"y":{},"s":"str"})",
     R"([{"op":"move","from":"/x","path":"/y/z"},{"op":"copy","from":"/y","path":"/w"},
         {"op":"move","from":"/w/z/k/0","path":"/y/z/k/-"},{"op":"incr","path":"/s","by":1}])",
     failed, 3},
    {"failed move after detaching", R"({"a":{"v":1},"l":[1,2,3]})",
     R"([{"op":"set","path":"/q","value":1},{"op":"move","from":"/l/1","path":"/l/9"}])", failed,
     1},
    {"failed op after merges", R"({"m":{"a":1,"b":{"c":2}},"l":[1]})",
     R"([{"op":"merge","path":"/m","value":{"a":null,"b":{"c":null,"d":[1]},"e":{"f":null}}},
         {"op":"merge","path":"/n/o","value":{"p":1}},{"op":"add","path":"/l/7","value":0}])",
     failed, 2},
    {"malformed op after changes", R"({"l":[1]})",
     R"([{"op":"add","path":"/l/0","value":0},{"op":"incr","path":"/l/0","by":"2"}])", invalid, 1},
};

BOOST_DATA_TEST_CASE(patches_say_what_each_op_did, bdata::make(patch_cases), c) {
  rooms::testing::json_document doc = make_doc(json::parse(c.data));
  const auto error = apply_edit(doc, json::parse(c.ops), {});
  BOOST_REQUIRE_MESSAGE(!error, (error ? error->message : ""));
  const json expected = json::parse(c.expected);
  BOOST_CHECK_MESSAGE(same_bytes(doc.patch, expected), doc.patch.dump()
                                                           << " != " << expected.dump());
  const std::string problem = patch_problem(json::parse(c.data), doc.patch, doc.data);
  BOOST_CHECK_MESSAGE(problem.empty(), problem);
}

BOOST_DATA_TEST_CASE(ops_fail_and_change_nothing, bdata::make(failure_cases), c) {
  rooms::testing::json_document doc = make_doc(json::parse(c.data));
  const rooms::testing::json_document before = doc;
  const auto error = apply_edit(doc, json::parse(c.ops), {});
  BOOST_REQUIRE(error.has_value());
  BOOST_CHECK_MESSAGE(error->code == c.code, error->message);
  BOOST_TEST(error->details == (json{{"index", c.index}}));
  BOOST_CHECK_MESSAGE(error->message.find("op " + std::to_string(c.index)) == 0u, error->message);
  BOOST_TEST(same_bytes(doc.data, before.data));
  BOOST_TEST(doc.data == before.data);
  BOOST_TEST(doc.packed_bytes == before.packed_bytes);
  BOOST_TEST(doc.patch == json::array());  // nothing of a failed edit's patch is left
}

BOOST_AUTO_TEST_CASE(failure_at_op_3_of_4_changes_nothing) {
  rooms::testing::json_document doc =
      make_doc(json::parse(R"({"n":1,"l":[1,2,3],"m":{"a":{"b":true}}})"));
  const rooms::testing::json_document before = doc;
  const json ops = json::parse(R"([
      {"op":"incr","path":"/n","by":41},
      {"op":"move","from":"/m/a","path":"/l/0"},
      {"op":"remove","path":"/l/9"},
      {"op":"set","path":"/z","value":"never"}])");
  const auto error = apply_edit(doc, ops, {});
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(code_of(*error) == "patch_failed");
  BOOST_TEST(error->details == (json{{"index", 2}}));
  BOOST_CHECK_MESSAGE(error->message.find("/l/9") != std::string::npos, error->message);
  BOOST_TEST(same_bytes(doc.data, before.data));
  BOOST_TEST(doc.packed_bytes == before.packed_bytes);
}

BOOST_AUTO_TEST_CASE(messages_say_what_went_wrong) {
  rooms::testing::json_document doc = make_doc(json::parse(R"({"l":[1,2]})"));
  const auto error = apply_edit(doc, json::parse(R"([{"op":"add","path":"/l/5","value":1}])"), {});
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(error->message == R"(op 0 (add "/l/5"): index 5 is past the end of array "/l", )"
                               "which has 2 elements");
  const auto unknown = apply_edit(doc, json::parse(R"([{"op":"spam"}])"), {});
  BOOST_REQUIRE(unknown.has_value());
  BOOST_CHECK_MESSAGE(unknown->message.find("unknown op \"spam\"") != std::string::npos,
                      unknown->message);
}

BOOST_AUTO_TEST_CASE(too_many_ops) {
  rooms::testing::json_document doc = make_doc(json::object());
  rooms::document_limits limits;
  limits.max_ops = 3;
  json ops = json::array();
  for (int i = 0; i < 3; ++i) ops.push_back({{"op", "incr"}, {"path", "/n"}, {"by", 1}});
  BOOST_TEST(!apply_edit(doc, ops, limits));
  BOOST_TEST(doc.data == (json{{"n", 3}}));
  ops.push_back({{"op", "incr"}, {"path", "/n"}, {"by", 1}});
  const auto error = apply_edit(doc, ops, limits);
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(code_of(*error) == "too_large");
  BOOST_TEST(error->details == json::object());
  BOOST_TEST(doc.data == (json{{"n", 3}}));
}

BOOST_AUTO_TEST_CASE(data_size_limit) {
  rooms::testing::json_document doc = make_doc(json::parse(R"({"a":1})"));  // 4 bytes
  rooms::document_limits limits;
  // {"a":1,"b":"xxx"} is 1 + 2 + 1 + 2 + 4 = 10 bytes.
  limits.max_data_bytes = 10;
  const json fits = json::parse(R"([{"op":"add","path":"/b","value":"xxx"}])");
  BOOST_TEST(!apply_edit(doc, fits, limits));
  BOOST_TEST(doc.packed_bytes == 10u);
  const rooms::testing::json_document before = doc;
  const json one_more = json::parse(R"([{"op":"remove","path":"/a"},
      {"op":"set","path":"/b","value":"xxxxxxx"}])");  // 1 + 2 + 8 = 11
  const auto error = apply_edit(doc, one_more, limits);
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(code_of(*error) == "too_large");
  BOOST_TEST(error->details == (json{{"index", 1}}));
  BOOST_TEST(same_bytes(doc.data, before.data));
  BOOST_TEST(doc.packed_bytes == before.packed_bytes);
}

BOOST_AUTO_TEST_CASE(copy_chain_stops_at_the_size_limit) {
  rooms::testing::json_document doc = make_doc(json{{"a", std::string(100, 'x')}});
  rooms::document_limits limits;
  limits.max_data_bytes = 100000;
  json ops = json::array();
  // Each copy of the root doubles the data.
  for (int i = 0; i < 1000; ++i)
    ops.push_back({{"op", "copy"}, {"from", ""}, {"path", "/b" + std::to_string(i)}});
  const auto error = apply_edit(doc, ops, limits);
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(code_of(*error) == "too_large");
  BOOST_TEST(error->details["index"].get<std::size_t>() < 20u);
  BOOST_TEST(doc.data == (json{{"a", std::string(100, 'x')}}));
}

struct depth_case {
  std::string name;
  std::string ops;
  bool fits;
};

std::ostream& operator<<(std::ostream& out, const depth_case& c) { return out << c.name; }

// With max_depth 3 on {"a":{"b":1},"l":[]} (depth 2): the root is level 1.
const std::vector<depth_case> depth_cases = {
    {"set a map at depth 3", R"([{"op":"set","path":"/a/c","value":{}}])", true},
    {"set a map at depth 4", R"([{"op":"set","path":"/a/c","value":{"d":{}}}])", false},
    {"set a number 3 deep", R"([{"op":"set","path":"/x/y/z","value":1}])", true},
    {"set a number 4 deep", R"([{"op":"set","path":"/x/y/z/w","value":1}])", false},
    {"add nested arrays", R"([{"op":"add","path":"/l/-","value":[[]]}])", false},
    {"add an array", R"([{"op":"add","path":"/l/-","value":[1]}])", true},
    {"replace", R"([{"op":"replace","path":"/a","value":{"b":{"c":{}}}}])", false},
    {"replace the root, depth 3", R"([{"op":"replace","path":"","value":{"b":{"c":{}}}}])", true},
    {"replace the root, depth 4", R"([{"op":"replace","path":"","value":{"b":{"c":{"d":[]}}}}])",
     false},
    {"merge deep", R"([{"op":"merge","path":"","value":{"a":{"b":{"c":{}}}}}])", false},
    {"merge a new member at depth 3", R"([{"op":"merge","path":"","value":{"n":{"b":{"c":1}}}}])",
     true},
    {"merge a new member at depth 4", R"([{"op":"merge","path":"","value":{"n":{"b":{"c":{}}}}}])",
     false},
    {"merge nils do not count", R"([{"op":"merge","path":"/a","value":{"c":{"d":null}}}])", true},
    {"incr 4 deep", R"([{"op":"incr","path":"/a/c/d/e","by":1}])", false},
    {"move deeper", R"([{"op":"move","from":"/a","path":"/l/0"}])", true},
    {"move a map deeper", R"([{"op":"set","path":"/m","value":{"x":{}}},
                            {"op":"move","from":"/m","path":"/a/m"}])",
     false},
    {"copy the root into the root", R"([{"op":"copy","from":"","path":"/c"}])", true},
    {"copy the root into a child", R"([{"op":"copy","from":"","path":"/a/c"}])", false},
    {"later op too deep", R"([{"op":"set","path":"/ok","value":1},
                            {"op":"add","path":"/l/0","value":{"x":[]}}])",
     false},
};

BOOST_DATA_TEST_CASE(depth_limit, bdata::make(depth_cases), c) {
  rooms::testing::json_document doc = make_doc(json::parse(R"({"a":{"b":1},"l":[]})"));
  const rooms::testing::json_document before = doc;
  rooms::document_limits limits;
  limits.max_depth = 3;
  const json ops = json::parse(c.ops);
  const auto error = apply_edit(doc, ops, limits);
  if (c.fits) {
    BOOST_CHECK_MESSAGE(!error, (error ? error->message : ""));
    BOOST_TEST(rooms::nesting_depth(doc.data) <= 3u);
    return;
  }
  BOOST_REQUIRE(error.has_value());
  BOOST_CHECK_MESSAGE(error->code == error_code::invalid_argument, error->message);
  BOOST_TEST(error->details == (json{{"index", ops.size() - 1}}));
  BOOST_TEST(same_bytes(doc.data, before.data));
  BOOST_TEST(doc.packed_bytes == before.packed_bytes);
}

BOOST_AUTO_TEST_CASE(types_are_kept) {
  rooms::testing::json_document doc = make_doc(json::object());
  const json ops = json::parse(R"([
      {"op":"set","path":"/t","value":true},
      {"op":"add","path":"/f","value":2.0},
      {"op":"copy","from":"/f","path":"/g"},
      {"op":"move","from":"/g","path":"/h"},
      {"op":"merge","path":"","value":{"m":{"x":2.0}}},
      {"op":"incr","path":"/i","by":2.0},
      {"op":"test","path":"/t","value":true}])");
  BOOST_REQUIRE(!apply_edit(doc, ops, {}));
  BOOST_TEST(doc.data["t"].is_boolean());
  for (const json* v : {&doc.data["f"], &doc.data["h"], &doc.data["m"]["x"], &doc.data["i"]}) {
    BOOST_TEST(v->is_number_float());
    BOOST_TEST(static_cast<unsigned char>(rooms::to_msgpack_bytes(*v)[0]) == 0xcbu);
  }
  const auto not_a_number =
      apply_edit(doc, json::parse(R"([{"op":"incr","path":"/t","by":1}])"), {});
  BOOST_REQUIRE(not_a_number.has_value());
  BOOST_TEST(code_of(*not_a_number) == "patch_failed");
  BOOST_TEST(doc.data["t"] == json(true));
}

BOOST_AUTO_TEST_CASE(incr_result_types) {
  rooms::testing::json_document doc = make_doc(json{{"u", 5u}, {"i", -3}, {"f", 1.5}});
  const json ops = json::parse(R"([{"op":"incr","path":"/u","by":-7},
      {"op":"incr","path":"/i","by":3},{"op":"incr","path":"/f","by":-1},
      {"op":"incr","path":"/m","by":-4}])");
  BOOST_REQUIRE(!apply_edit(doc, ops, {}));
  BOOST_TEST(doc.data["u"].is_number_integer());
  BOOST_TEST(!doc.data["u"].is_number_unsigned());
  BOOST_TEST(doc.data["u"].get<std::int64_t>() == -2);
  BOOST_TEST(doc.data["i"].is_number_unsigned());
  BOOST_TEST(doc.data["i"].get<std::uint64_t>() == 0u);
  BOOST_TEST(doc.data["f"].is_number_float());
  BOOST_TEST(doc.data["f"].get<double>() == 0.5);
  BOOST_TEST(doc.data["m"].get<std::int64_t>() == -4);
  BOOST_TEST(doc.packed_bytes == rooms::packed_size(doc.data));
}

// Random documents and ops. Keys come from a small alphabet so that ops collide with the data.
class edit_generator {
 public:
  explicit edit_generator(std::uint64_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  json document() { return map(3); }

  // An RFC 6902 op on `data` whose path's parent is a container or missing: nlohmann's patch()
  // silently ignores an add under a scalar and turns a nil parent into a map, so the oracle is
  // only asked what the RFC defines. A move takes a map member, so no array index shifts under
  // the path.
  json rfc_op(const json& data) {
    switch (pick(6)) {
      case 0:
        return {{"op", "add"}, {"path", new_target(data)}, {"value", value(2)}};
      case 1:
        return {{"op", "remove"}, {"path", existing_path(data)}};
      case 2:
        return {{"op", "replace"}, {"path", existing_path(data)}, {"value", value(2)}};
      case 3:
        return {{"op", "move"}, {"from", map_member(data)}, {"path", new_target(data)}};
      case 4:
        return {{"op", "copy"}, {"from", existing_path(data)}, {"path", new_target(data)}};
      default:
        return test_op(data);
    }
  }

  // Any op, including set, merge, incr and malformed ones.
  json any_op(const json& data) {
    switch (pick(10)) {
      case 0:
        return {{"op", "set"}, {"path", deep_target(data)}, {"value", value(2)}};
      case 1:
        return {{"op", "merge"}, {"path", merge_path(data)}, {"value", merge_value(2)}};
      case 2:
        return {{"op", "incr"}, {"path", deep_target(data)}, {"by", number()}};
      case 3:
        return {{"op", "incr"}, {"path", existing_path(data)}, {"by", number()}};
      case 4:
        if (pick(4) == 0) return {{"op", "nope"}, {"path", ""}};
        return {{"op", "move"}, {"from", existing_path(data)}, {"path", deep_target(data)}};
      default:
        return rfc_op(data);
    }
  }

  // "", a map, a member of a map (present or not), or a path through missing maps.
  std::string merge_path(const json& data) {
    if (pick(5) == 0) return "";
    if (pick(5) == 0) return "/zz/" + key();
    const auto maps = locations(data, [](const json& v) { return v.is_object(); });
    const auto& chosen = maps[pick(static_cast<int>(maps.size()))];
    return pick(2) == 0 ? chosen : chosen + "/" + key();
  }

  json merge_value(int depth) {
    json out = json::object();
    const int count = pick(4);
    for (int i = 0; i < count; ++i) {
      const int kind = pick(4);
      out[key()] = kind == 0                ? json(nullptr)
                   : kind == 1 && depth > 0 ? merge_value(depth - 1)
                                            : value(depth);
    }
    return out;
  }

 private:
  std::string key() { return std::string(1, static_cast<char>('a' + pick(4))); }

  json number() {
    switch (pick(5)) {
      case 0:
        return 0.5 * pick(9);
      case 1:
        return -pick(20);
      case 2:
        return std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(pick(3));
      default:
        return pick(20);
    }
  }

  json value(int depth) {
    switch (pick(depth > 0 ? 9 : 7)) {
      case 0:
        return nullptr;
      case 1:
        return pick(2) == 0;
      case 2:
        return pick(20);
      case 3:
        return -pick(20);
      case 4:
        return 0.5 * pick(8);
      case 5:
        return std::string(static_cast<std::size_t>(pick(40)), 's');
      case 6:
        return json::binary({1, 2});
      case 7:
        return map(depth - 1);
      default:
        return array(depth - 1);
    }
  }

  json map(int depth) {
    json out = json::object();
    for (int i = pick(5); i > 0; --i) out[key()] = value(depth);
    return out;
  }

  json array(int depth) {
    json out = json::array();
    for (int i = pick(4); i > 0; --i) out.push_back(value(depth));
    return out;
  }

  template <class Filter>
  std::vector<std::string> locations(const json& data, Filter keep) {
    std::vector<std::string> out;
    collect(data, "", keep, out);
    return out;
  }

  template <class Filter>
  void collect(const json& v, const std::string& at, Filter keep, std::vector<std::string>& out) {
    if (keep(v)) out.push_back(at);
    if (v.is_object())
      for (const auto& [k, child] : v.items()) collect(child, at + "/" + k, keep, out);
    if (v.is_array())
      for (std::size_t i = 0; i < v.size(); ++i)
        collect(v[i], at + "/" + std::to_string(i), keep, out);
  }

  // Where an add may go: a member of a map, a slot of an array (sometimes an invalid one), or,
  // rarely, under a missing parent.
  std::string new_target(const json& data) {
    if (pick(20) == 0) return "/zz/" + key();
    const auto containers = locations(data, [](const json& v) { return v.is_structured(); });
    const std::string& at = containers[pick(static_cast<int>(containers.size()))];
    const json& container = data.at(json::json_pointer(at));
    if (container.is_object()) return at + "/" + key();
    const int size = static_cast<int>(container.size());
    switch (pick(6)) {
      case 0:
        return at + "/-";
      case 1:
        return at + "/" + std::to_string(size + 1);
      case 2:
        return at + "/01";
      default:
        return at + "/" + std::to_string(pick(size + 1));
    }
  }

  // set's targets also go through missing maps and existing scalars.
  std::string deep_target(const json& data) {
    if (pick(4) == 0) return existing_path(data) + "/" + key() + "/" + key();
    return new_target(data);
  }

  std::string existing_path(const json& data) {
    const auto all = locations(data, [](const json&) { return true; });
    if (all.size() == 1 || pick(10) == 0) return "/zz";
    return all[1 + pick(static_cast<int>(all.size()) - 1)];
  }

  std::string map_member(const json& data) {
    std::vector<std::string> members;
    for (const auto& at : locations(data, [](const json& v) { return v.is_object(); }))
      for (const auto& [k, child] : data.at(json::json_pointer(at)).items())
        members.push_back(at + "/" + k);
    if (members.empty() || pick(10) == 0) return "/zz";
    return members[pick(static_cast<int>(members.size()))];
  }

  json test_op(const json& data) {
    const std::string path = existing_path(data);
    const json::json_pointer pointer(path);
    const bool same = data.contains(pointer) && pick(2) == 0;
    return {{"op", "test"}, {"path", path}, {"value", same ? data.at(pointer) : value(1)}};
  }

  std::mt19937_64 rng_;
};

bool is_edit_failure(error_code code) {
  return code == error_code::patch_failed || code == error_code::invalid_argument;
}

BOOST_AUTO_TEST_CASE(rfc_ops_match_nlohmann_patch) {
  edit_generator generate(6902);
  int applied = 0;
  int rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    const json data = generate.document();
    // Ops are generated one at a time against the oracle's state, up to the first failure.
    json ops = json::array();
    json state = data;
    std::optional<std::size_t> failing;
    for (int i = 1 + generate.pick(4); i > 0 && !failing; --i) {
      ops.push_back(generate.rfc_op(state));
      try {
        state = state.patch(json::array({ops.back()}));
      } catch (const json::exception&) {
        failing = ops.size() - 1;
      }
    }
    rooms::testing::json_document doc = make_doc(data);
    const auto error = apply_edit(doc, ops, {});
    BOOST_REQUIRE_MESSAGE(error.has_value() == failing.has_value(),
                          data.dump() << " " << ops.dump() << (error ? error->message : ""));
    if (error) {
      ++rejected;
      BOOST_REQUIRE(is_edit_failure(error->code));
      BOOST_REQUIRE(error->details == (json{{"index", *failing}}));
      BOOST_REQUIRE(same_bytes(doc.data, data));
    } else {
      ++applied;
      BOOST_REQUIRE_MESSAGE(same_bytes(doc.data, data.patch(ops)),
                            data.dump() << " " << ops.dump() << " -> " << doc.data.dump());
      const std::string problem = patch_problem(data, doc.patch, doc.data);
      BOOST_REQUIRE_MESSAGE(problem.empty(), data.dump() << " " << ops.dump() << ": " << problem);
    }
    BOOST_REQUIRE(doc.packed_bytes == rooms::packed_size(doc.data));
  }
  BOOST_TEST_MESSAGE("json::patch oracle: " << applied << " applied, " << rejected << " rejected");
  BOOST_TEST(applied > 500);
  BOOST_TEST(rejected > 200);
}

BOOST_AUTO_TEST_CASE(merge_matches_nlohmann_merge_patch) {
  edit_generator generate(7386);
  for (int round = 0; round < 2000; ++round) {
    const json data = generate.document();
    const std::string path = generate.merge_path(data);
    const json patch = generate.merge_value(3);
    json expected = data;
    expected[json::json_pointer(path)].merge_patch(patch);
    rooms::testing::json_document doc = make_doc(data);
    const json ops = json::array({{{"op", "merge"}, {"path", path}, {"value", patch}}});
    const auto error = apply_edit(doc, ops, {});
    BOOST_REQUIRE_MESSAGE(!error, data.dump()
                                      << " " << ops.dump() << (error ? error->message : ""));
    BOOST_REQUIRE_MESSAGE(same_bytes(doc.data, expected),
                          data.dump() << " " << ops.dump() << " -> " << doc.data.dump());
    BOOST_REQUIRE(doc.packed_bytes == rooms::packed_size(doc.data));
    // A merge's patch names the keys it changed, never the whole target.
    const std::string problem = patch_problem(data, doc.patch, doc.data);
    BOOST_REQUIRE_MESSAGE(problem.empty(), data.dump() << " " << ops.dump() << ": " << problem);
  }
}

BOOST_AUTO_TEST_CASE(random_edits_keep_size_depth_and_atomicity) {
  edit_generator generate(2024);
  rooms::document_limits limits;
  limits.max_depth = 5;
  limits.max_data_bytes = 3000;
  limits.max_ops = 5;
  rooms::testing::json_document doc = make_doc(generate.document());
  int applied = 0;
  for (int step = 0; step < 4000; ++step) {
    if (step % 100 == 0) doc = make_doc(generate.document());
    json ops = json::array();
    for (int i = 1 + generate.pick(limits.max_ops + 1); i > 0; --i)
      ops.push_back(generate.any_op(doc.data));
    const rooms::testing::json_document before = doc;
    const auto error = apply_edit(doc, ops, limits);
    BOOST_REQUIRE(doc.packed_bytes == rooms::packed_size(doc.data));
    if (!error) {
      ++applied;
      const std::string problem = patch_problem(before.data, doc.patch, doc.data);
      BOOST_REQUIRE_MESSAGE(problem.empty(), before.data.dump()
                                                 << " " << ops.dump() << ": " << problem);
      BOOST_REQUIRE(doc.data.is_object());
      BOOST_REQUIRE(rooms::nesting_depth(doc.data) <= limits.max_depth);
      BOOST_REQUIRE(doc.packed_bytes <= limits.max_data_bytes);
      continue;
    }
    BOOST_REQUIRE(same_bytes(doc.data, before.data));
    BOOST_REQUIRE(doc.packed_bytes == before.packed_bytes);
    BOOST_REQUIRE(!error->message.empty());
    if (error->code != error_code::too_large || error->details.contains("index"))
      BOOST_REQUIRE(error->details["index"].get<std::size_t>() < ops.size());
  }
  BOOST_TEST_MESSAGE("random edits: " << applied << " of 4000 applied");
  BOOST_TEST(applied > 800);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
