// A deterministic actor system for tests: CAF's test_coordinator runs messages only when the
// test says so, and probe actors record everything the node's actors send them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/messages.hpp"

namespace rooms::test {

/// One message a probe received: a reply (decoded frame) or an event (decoded frame).
struct received {
  bool is_event = false;
  json frame;  // [1, msgid, error, result] or [2, "event", [map]]
  call_reply reply;
  room_event event;
};

using inbox = std::shared_ptr<std::vector<received>>;

/// An edit by `user` that adds 1 to /n, with idempotency `key` if set, answered with
/// {"room", "version"} when `version_only` (else with the snapshot).
edit_command incr_edit(const std::string& room, const std::string& user,
                       std::optional<std::string> key, bool version_only);

/// Decodes one MessagePack frame into a document.
json decode_frame(const std::string& frame);

struct actor_fixture {
  actor_fixture();
  ~actor_fixture();

  /// A probe: an actor that appends every reply and event it gets to its inbox.
  std::pair<caf::actor, inbox> spawn_probe();

  void create(const caf::actor& probe, std::uint32_t msgid, const std::string& user,
              json data = json::object());
  void call(const caf::actor& probe, std::uint32_t msgid, room_command cmd,
            bool wants_reply = true);
  /// Runs every pending message.
  void run() { sched.run(); }

  /// Replaces the fixture's directory, whose rooms never park, with one whose idle rooms park
  /// after `after`.
  void park_rooms_after(std::chrono::milliseconds after);
  /// A room created by `probe` (whose inbox is `box`) for user "alice": its id.
  std::string create_room(const caf::actor& probe, const inbox& box);
  /// Two idle timeouts of `timeout`: the first tick sees the calls before it, the second asks
  /// to park or hibernate.
  void pass_idle_timeouts(std::chrono::milliseconds timeout);

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<const limits> room_limits;
  std::shared_ptr<node_counters> counters;
  caf::actor directory;
};

}  // namespace rooms::test
