// roomsd as a process: options and config file, tokens, the connection limit, and the
// graceful stop on SIGTERM (issue 3; docs/protocol.md).
#include <signal.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/integration/raw_socket.hpp"
#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Writes `content` to a file in a fresh temp directory; returns its path.
std::string write_temp_file(const std::string& content) {
  char pattern[] = "/tmp/rooms-it-config-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(pattern) != nullptr);
  std::string path = std::string{pattern} + "/roomsd.ini";
  std::ofstream{path} << content;
  return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(node)

BOOST_AUTO_TEST_CASE(bad_options_stop_the_node_naming_key_and_value) {
  auto port = run_roomsd({"--port", "70000"});
  BOOST_TEST(port.code.value_or(-1) == 2);
  BOOST_TEST(contains(port.output, "--port"));
  BOOST_TEST(contains(port.output, "70000"));
  auto unknown = run_roomsd({"--prot", "1"});
  BOOST_TEST(unknown.code.value_or(-1) == 2);
  BOOST_TEST(contains(unknown.output, "--prot"));
  auto level = run_roomsd({"--log-level=loud"});
  BOOST_TEST(level.code.value_or(-1) == 2);
  BOOST_TEST(contains(level.output, "loud"));
  std::string file = write_temp_file("[rooms]\nmax-ops = \"many\"\n");
  auto from_file = run_roomsd({"--config", file});
  BOOST_TEST(from_file.code.value_or(-1) == 2);
  BOOST_TEST(contains(from_file.output, file));
  BOOST_TEST(contains(from_file.output, "max-ops"));
  BOOST_TEST(contains(from_file.output, "many"));
  auto scheduler = run_roomsd({"--scheduler", "fifo"});
  BOOST_TEST(scheduler.code.value_or(-1) == 2);
  BOOST_TEST(contains(scheduler.output, "--scheduler"));
  BOOST_TEST(contains(scheduler.output, "fifo"));
  auto help = run_roomsd({"--help"});
  BOOST_TEST(help.code.value_or(-1) == 0);
  BOOST_TEST(contains(help.output, "--max-outbound-bytes"));
}

BOOST_AUTO_TEST_CASE(a_data_dir_that_cannot_be_created_stops_the_node) {
  auto result = run_roomsd({"--port", "0", "--data-dir", "/proc/rooms-cannot-be-here"});
  BOOST_TEST(result.code.value_or(-1) == 1);
  BOOST_TEST(contains(result.output, "--data-dir"));
  BOOST_TEST(contains(result.output, "/proc/rooms-cannot-be-here"));
}

BOOST_AUTO_TEST_CASE(config_file_and_command_line) {
  std::string file = write_temp_file(
      "[rooms]\nnode-name = \"from-file\"\nmax-ops = 1\ntoken = [\"t1\", \"t2\"]\n");
  node_process node{{"--config", file, "--max-ops", "2"}};
  auto client = node.connect();
  BOOST_TEST(must(client.call("hello", {{"token", "t2"}}))["node"] == "from-file");
  const std::string room = create_room(client, "alice");
  json two = json::array(
      {{{"op", "incr"}, {"path", "/n"}, {"by", 1}}, {{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  BOOST_TEST(
      must(client.call("edit", {{"room", room}, {"user", "alice"}, {"ops", two}}))["version"] == 2);
}

// Every other test runs the default (local: the workers own the sockets, cores + 1 workers):
// CAF's policies, with the sockets on I/O threads, and an explicit worker count serve calls as
// well.
BOOST_AUTO_TEST_CASE(the_work_stealing_scheduler_serves_calls) {
  node_process node{{"--scheduler", "stealing", "--worker-threads", "1", "--durability", "none"}};
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  json incr = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  for (int i = 0; i < 20; ++i)
    must(client.call("edit", {{"room", room}, {"user", "alice"}, {"ops", incr}}));
  BOOST_TEST(must(client.call("get", {{"room", room}}))["data"]["n"] == 20);
}

// A scheduler policy on two workers: calls across workers and on one, pipelined from several
// connections, a subscriber on yet another, each connection's edits in order; then a clean
// stop. `io_threads` > 0 runs the sockets on that many I/O threads (not under `local`).
static void serve_across_workers(const std::string& policy, int io_threads = 0) {
  std::vector<std::string> args{"--scheduler", policy,         "--worker-threads",
                                "2",           "--durability", "none"};
  if (io_threads > 0) {
    args.push_back("--io-threads");
    args.push_back(std::to_string(io_threads));
  }
  node_process node{args};
  auto watcher = node.connect();
  std::vector<rooms_client> clients;
  std::vector<std::string> rooms;
  for (int c = 0; c < 4; ++c) {
    clients.push_back(node.connect());
    rooms.push_back(create_room(clients.back(), "alice"));
  }
  json sub = must(watcher.call("subscribe", {{"room", rooms[0]}}));
  BOOST_TEST(sub["version"] == 1);
  json incr = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  constexpr int edits = 200;
  for (int i = 0; i < edits; ++i)
    for (int c = 0; c < 4; ++c)
      BOOST_REQUIRE(
          clients[c]
              .send_request(
                  "edit",
                  {{"room", rooms[c]}, {"user", "alice"}, {"ops", incr}, {"reply", "version"}})
              .ok());
  for (int c = 0; c < 4; ++c) {
    std::uint64_t last = 1;
    for (int i = 0; i < edits; ++i) {
      auto message = clients[c].read_message(20s);
      BOOST_REQUIRE(message.ok());
      auto* answer = std::get_if<response>(&*message);
      BOOST_REQUIRE(answer != nullptr);
      const auto version = must(answer->outcome)["version"].get<std::uint64_t>();
      BOOST_TEST(version == last + 1);  // one connection, one room: applied in order
      last = version;
    }
    BOOST_TEST(must(clients[c].call("get", {{"room", rooms[c]}}))["data"]["n"] == edits);
  }
  for (std::uint64_t version = 2; version <= edits + 1; ++version) {
    auto event = watcher.next_notification(10s);
    BOOST_REQUIRE(event.has_value());
    BOOST_TEST(event->params["version"] == version);
  }
}

// Pinned: actors spread over the workers by id.
BOOST_AUTO_TEST_CASE(the_pinned_scheduler_serves_calls_across_workers) {
  serve_across_workers("pinned");
}

// Sharing (CAF's FIFO queue), its sockets spread over two I/O threads.
BOOST_AUTO_TEST_CASE(the_sharing_scheduler_serves_calls_with_two_io_threads) {
  serve_across_workers("sharing", 2);
}

// Local: a woken actor runs on its waker's worker, idle workers steal, each worker owns a share
// of the sockets.
BOOST_AUTO_TEST_CASE(the_local_scheduler_serves_calls_across_workers) {
  serve_across_workers("local");
}

BOOST_AUTO_TEST_CASE(tokens_require_hello_first) {
  node_process node{{"--token", "alpha", "--token", "beta"}};
  auto first = node.connect();
  auto refused = first.call("ping");
  BOOST_TEST(code_of(refused) == "unauthenticated");
  BOOST_TEST(code_of(first.call("ping")) != "ok");  // the node closed the connection
  auto wrong = node.connect();
  BOOST_TEST(code_of(wrong.call("hello", {{"token", "gamma"}})) == "unauthenticated");
  BOOST_TEST(code_of(wrong.call("ping")) != "ok");
  auto good = node.connect();
  json hello = must(good.call("hello", {{"token", "beta"}, {"client", "tests"}}));
  BOOST_TEST(hello["protocol"] == 1);
  BOOST_TEST(must(good.call("ping"))["pong"] == true);
}

BOOST_AUTO_TEST_CASE(connections_past_the_limit_are_overloaded) {
  node_process node{{"--max-connections", "2"}};
  auto a = node.connect();
  auto b = node.connect();
  must(a.call("ping"));
  must(b.call("ping"));
  raw_socket third{node.port()};
  auto messages = third.read_to_end(10s);
  BOOST_TEST(third.closed());
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(
      messages[0] ==
      (json{2, "error", {{{"code", "overloaded"}, {"message", messages[0][2][0]["message"]}}}}));
  BOOST_TEST(must(a.call("stats"))["connections_refused"] == 1);
  // Once a connection closes, a new one is served again.
  b.close();
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    auto c = node.connect();
    served = c.call("ping", json::object(), 2s).ok();
  }
  BOOST_TEST(served);
}

BOOST_AUTO_TEST_CASE(sigterm_answers_what_is_in_flight_and_exits_zero) {
  node_process node;
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  raw_socket socket{node.port()};
  std::string bytes;
  for (std::uint32_t i = 1; i <= 200; ++i)
    bytes += pack(json{0, i, "get", json::array({{{"room", room}}})});
  socket.send(bytes);
  BOOST_REQUIRE_EQUAL(socket.read(1, 10s).size(), 1u);
  auto exit = node.stop(SIGTERM);
  BOOST_TEST(exit.code.value_or(-1) == 0);
  auto rest = socket.read_to_end(10s);
  BOOST_TEST(socket.closed());
  BOOST_TEST(rest.size() == 199u);
  BOOST_TEST(contains(exit.output, "stopped"));
}

BOOST_AUTO_TEST_CASE(sigterm_amid_busy_subscribed_connections_exits_zero) {
  // Gateways still busy when the node closes the sockets must not touch what it already freed
  // (the ASan build of the suite turns such a bug into a non-zero exit).
  node_process node{{"--durability", "none"}};
  auto client = node.connect();
  const std::string room = create_room(client, "alice");
  std::string edits;
  json ops = json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}});
  for (std::uint32_t i = 2; i < 200; ++i)
    edits +=
        pack(json{0, i, "edit", json::array({{{"room", room}, {"user", "alice"}, {"ops", ops}}})});
  std::vector<std::unique_ptr<raw_socket>> sockets;
  for (int i = 0; i < 40; ++i) {
    sockets.push_back(std::make_unique<raw_socket>(node.port()));
    sockets.back()->send(pack(json{0, 1, "subscribe", json::array({{{"room", room}}})}) + edits);
  }
  auto exit = node.stop(SIGTERM, 20s);
  BOOST_TEST(exit.code.value_or(-1) == 0, exit.output);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
