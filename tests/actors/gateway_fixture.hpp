// gateway_fixture: a gateway_state driven directly, with a fake connection and a fake router
// (no sockets, no actors), shared by the gateway's test files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "actors/gateway/gateway_state.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_encoder.hpp"

namespace rooms::test {

// Everything the gateway did to its connection.
struct fake_link : connection_link {
  std::vector<json> frames;
  /// try_write refuses once this many event bytes were accepted.
  std::size_t event_budget = SIZE_MAX;
  std::size_t consumed = 0;
  std::size_t in_flight = 0;
  bool closing = false;
  bool aborted = false;
  /// resume_later() calls: the test answers them with gateway_state::on_resume().
  std::size_t resumes = 0;

  void write(std::string_view frame) override {
    msgpack::object_handle handle = msgpack::unpack(frame.data(), frame.size());
    frames.push_back(*to_json(handle.get(), 128));
  }
  bool try_write(std::string_view frame, std::size_t) override {
    if (frame.size() > event_budget) return false;
    event_budget -= frame.size();
    write(frame);
    return true;
  }
  void flush() override {}  // frames count as written at once
  void report_progress(std::size_t bytes, std::size_t calls) override {
    consumed += bytes;
    in_flight = calls;
  }
  void resume_later() override { ++resumes; }
  void close_after_flush() override { closing = true; }
  void abort() override { aborted = true; }
};

// The calls the gateway sent on.
struct fake_router : call_router {
  std::vector<create_call> creates;
  /// Every room call, through the directory or direct (then call.from.direct is set).
  std::vector<room_call> calls;
  /// For each of `calls`, the room actor it went to directly (null: through the directory).
  std::vector<caf::actor> direct_to;
  std::vector<list_call> lists;
  void route(create_call call) override { creates.push_back(std::move(call)); }
  void route(list_call call) override { lists.push_back(std::move(call)); }
  void route(room_call call) override {
    calls.push_back(std::move(call));
    direct_to.emplace_back();
  }
  void route_direct(const caf::actor& room, room_call call) override {
    calls.push_back(std::move(call));
    direct_to.push_back(room);
  }
};

inline const std::string room_a = "00000000-0000-4000-8000-00000000000a";

struct gateway_fixture {
  gateway_fixture() {
    auto lims = std::make_shared<limits>();
    lims->max_subscriptions = 2;
    config.node_limits = lims;
    config.counters = std::make_shared<node_counters>();
    config.node_name = "roomsd@test";
    config.server_name = "rooms test";
  }

  gateway_state& gateway() {
    if (!state) state = std::make_unique<gateway_state>(config, link, router);
    return *state;
  }

  void send(std::uint32_t msgid, std::string_view method, const json& params) {
    gateway().on_data(encode_request(msgid, method, params));
  }

  void notify(std::string_view method, const json& params) {
    gateway().on_data(encode_notification(method, params));
  }

  // Answers the last routed room call the way a room actor would.
  void answer(const room_call& call, const json& result, std::optional<std::uint64_t> version) {
    call_reply reply;
    reply.msgid = call.from.msgid;
    if (call.from.wants_reply) reply.frame = encode_response(call.from.msgid, result);
    if (version) {
      reply.subscribed_room = room_of(call.command);
      reply.subscribed_version = *version;
    }
    gateway().on_reply(reply);
  }

  void event(std::uint64_t version, bool deleted = false) {
    json map{{"room", room_a}, {"version", version}, {"type", deleted ? "deleted" : "joined"}};
    gateway().on_event(room_event{room_a, version, deleted, encode_notification("event", map),
                                  room_key::of(room_a).value_or(room_key{})});
  }

  std::vector<std::uint64_t> event_versions() const {
    std::vector<std::uint64_t> versions;
    for (const auto& f : link.frames)
      if (f[0] == 2 && f[1] == "event") versions.push_back(f[2][0]["version"]);
    return versions;
  }

  gateway_config config;
  fake_link link;
  fake_router router;
  std::unique_ptr<gateway_state> state;
};

}  // namespace rooms::test
