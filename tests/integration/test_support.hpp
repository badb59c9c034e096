// Small helpers shared by the integration tests: checking results and making rooms.
#pragma once

#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/client/rooms_client.hpp"
#include "tests/integration/node_process.hpp"

namespace rooms::testing {

/// Marks a test case that also runs against every node of a cluster (tests/cluster/): it uses
/// a node with default options, never stops it, and checks nothing node-wide but its own.
inline const auto cluster_case = boost::unit_test::label("cluster");

/// The result of a call that must succeed (fails the test with the node's error otherwise).
inline json must(const result<json>& outcome) {
  // Boost.Test builds the message even when the check passes.
  BOOST_REQUIRE_MESSAGE(
      outcome.ok(),
      "the call failed: " << (outcome.ok() ? std::string{} : outcome.error().to_wire().dump()));
  return *outcome;
}

/// "ok", or the wire code of the error.
inline std::string code_of(const result<json>& outcome) {
  return outcome.ok() ? std::string{"ok"} : std::string{to_string(outcome.error().code)};
}

/// The params of the next notification, which must be a `method` one (within 10 s).
inline json next_params(rooms_client& client, std::string_view method) {
  auto note = client.next_notification(std::chrono::seconds(10));
  BOOST_REQUIRE_MESSAGE(note, "no notification arrived");
  BOOST_REQUIRE_EQUAL(note->method, method);
  return note->params;
}

/// Creates a room owned by `user` and returns its id.
inline std::string create_room(rooms_client& client, const std::string& user,
                               const json& data = json::object()) {
  return must(client.call("create", {{"user", user}, {"data", data}}))["room"].get<std::string>();
}

}  // namespace rooms::testing
