// The deterministic actor system and probes for actor-level tests.
#include "actor_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include "protocol/value_json.hpp"

#include "protocol/msgpack_json.hpp"

namespace rooms::test {

namespace {

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  return cfg;
}

caf::behavior probe(caf::event_based_actor*, inbox box) {
  return {
      [box](reply_atom, const call_reply& reply) {
        received r;
        r.reply = reply;
        if (!reply.frame.empty()) r.frame = decode_frame(reply.frame);
        box->push_back(std::move(r));
      },
      [box](event_atom, const room_event& event) {
        received r;
        r.is_event = true;
        r.event = event;
        r.frame = decode_frame(event.frame);
        box->push_back(std::move(r));
      },
      // A probe calls nobody directly: it gives a grant back at once.
      [](revoke_atom, const std::string&) { return revoke_atom::value; },
  };
}

}  // namespace

json decode_frame(const std::string& frame) {
  auto handle = msgpack::unpack(frame.data(), frame.size());
  auto decoded = to_json(handle.get(), 128);
  return decoded.ok() ? *decoded : json{"undecodable"};
}

edit_command incr_edit(const std::string& room, const std::string& user,
                       std::optional<std::string> key, bool version_only) {
  edit_command cmd;
  cmd.room = room;
  cmd.user = user;
  cmd.ops = json_to_value(json::array({{{"op", "incr"}, {"path", "/n"}, {"by", 1}}}));
  cmd.key = std::move(key);
  cmd.reply_version_only = version_only;
  return cmd;
}

actor_fixture::actor_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      room_limits(std::make_shared<const limits>()),
      counters(std::make_shared<node_counters>()) {
  directory = spawn_directory(sys, {room_limits, counters});
}

actor_fixture::~actor_fixture() {
  caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  sched.run();
}

void actor_fixture::park_rooms_after(std::chrono::milliseconds after) {
  caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  run();
  directory_config config{room_limits, counters};
  config.park_after = after;
  directory = spawn_directory(sys, config);
}

std::string actor_fixture::create_room(const caf::actor& probe, const inbox& box) {
  const std::size_t before = box->size();
  create(probe, 1, "alice");
  run();
  BOOST_REQUIRE_EQUAL(box->size(), before + 1);
  return box->back().frame[3]["room"].get<std::string>();
}

void actor_fixture::pass_idle_timeouts(std::chrono::milliseconds timeout) {
  for (int i = 0; i < 2; ++i) {
    sched.clock().advance_time(timeout + std::chrono::seconds(1));
    run();
  }
}

std::pair<caf::actor, inbox> actor_fixture::spawn_probe() {
  auto box = std::make_shared<std::vector<received>>();
  return {sys.spawn(probe, box), box};
}

void actor_fixture::create(const caf::actor& probe, std::uint32_t msgid, const std::string& user,
                           json data) {
  caf::anon_send(
      directory, create_atom::value,
      create_call{caller{probe, msgid, true}, create_command{user, json_to_value(data)}});
}

void actor_fixture::call(const caf::actor& probe, std::uint32_t msgid, room_command cmd,
                         bool wants_reply) {
  caf::anon_send(directory, room_call_atom::value,
                 room_call{caller{probe, msgid, wants_reply}, std::move(cmd)});
}

}  // namespace rooms::test
