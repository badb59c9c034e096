// The public RFC 6902 suite (tests/conformance/json-patch-tests, see its README.md) run through
// apply_edit as that README says: each doc wrapped as {"doc": doc}, every path and from that is a
// JSON Pointer prefixed with "/doc".
#include <fstream>
#include <iostream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "actors/room/edit_engine.hpp"
#include "protocol/msgpack_json.hpp"
#include "tests/room/json_document.hpp"

using rooms::json;

namespace {

const std::string suite_dir = std::string{ROOMS_CONFORMANCE_DIR} + "/";

json load(const std::string& name) {
  std::ifstream in(suite_dir + name);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << suite_dir + name);
  return json::parse(in);
}

// "/doc" before a JSON Pointer (empty, or starting with '/'); anything else is left for the
// engine to reject.
void prefix_pointer(json& op, const char* member) {
  if (!op.is_object() || !op.contains(member) || !op[member].is_string()) return;
  std::string& pointer = op[member].get_ref<std::string&>();
  if (pointer.empty() || pointer.front() == '/') pointer = "/doc" + pointer;
}

json wrap_patch(json patch) {
  if (!patch.is_array()) return patch;
  for (auto& op : patch) {
    prefix_pointer(op, "path");
    prefix_pointer(op, "from");
  }
  return patch;
}

struct tally {
  int ran = 0;
  int passed = 0;
};

// Runs one case; true when it behaved as the suite expects.
bool run_case(const json& test) {
  rooms::testing::json_document doc = rooms::testing::make_doc(json{{"doc", test.at("doc")}});
  const rooms::testing::json_document before = doc;
  const auto error = rooms::testing::apply_edit(doc, wrap_patch(test.at("patch")), {});
  if (test.contains("expected")) {
    if (error) BOOST_TEST_MESSAGE("unexpected error: " << error->message);
    // The patch a `patch: true` subscriber gets replays the edit on nlohmann's json::patch.
    const std::string problem =
        error ? std::string{} : rooms::testing::patch_problem(before.data, doc.patch, doc.data);
    if (!problem.empty()) BOOST_TEST_MESSAGE("patch: " << problem);
    return !error && doc.data.at("doc") == test.at("expected") &&
           doc.packed_bytes == rooms::packed_size(doc.data) && problem.empty();
  }
  const bool rejected = error && (error->code == rooms::error_code::patch_failed ||
                                  error->code == rooms::error_code::invalid_argument);
  return rejected && doc.data == before.data && doc.packed_bytes == before.packed_bytes &&
         rooms::to_msgpack_bytes(doc.data) == rooms::to_msgpack_bytes(before.data);
}

void run_file(const std::string& name, tally& total) {
  const json tests = load(name);
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const json& test = tests[i];
    if (test.value("disabled", false)) continue;
    ++total.ran;
    const bool ok = run_case(test);
    if (ok) ++total.passed;
    BOOST_CHECK_MESSAGE(ok, name << " #" << i << " (" << test.value("comment", "")
                                 << test.value("error", "") << "): " << test.dump());
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_patch_conformance)

BOOST_AUTO_TEST_CASE(json_patch_tests_suite) {
  tally total;
  run_file("tests.json", total);
  run_file("spec_tests.json", total);
  BOOST_TEST_MESSAGE("json-patch-tests: " << total.passed << " of " << total.ran << " passed");
  std::cout << "json-patch-tests: " << total.passed << " of " << total.ran
            << " enabled cases passed" << std::endl;
  BOOST_TEST(total.ran == 108);
  BOOST_TEST(total.passed == total.ran);
}

BOOST_AUTO_TEST_SUITE_END()
