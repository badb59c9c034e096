// The messages that cross cluster nodes survive CAF's binary serialization unchanged (what a
// peer's directory, room actors and gateways receive over the middleman).
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <boost/test/unit_test.hpp>

#include "actors/messages.hpp"
#include "protocol/value_json.hpp"

namespace rooms::test {

namespace {

const std::string room = "00000000-0000-4000-8000-00000000000a";

// Actor handles are read through a proxy registry; local actors never need a proxy.
struct local_only : caf::proxy_registry::backend {
  caf::strong_actor_ptr make_proxy(caf::node_id, caf::actor_id) override { return nullptr; }
  void set_last_hop(caf::node_id*) override {}
};

struct serialization_fixture {
  serialization_fixture() {
    add_message_types(config);
    config.load<caf::io::middleman>();
    config.set("middleman.heartbeat-interval", caf::timespan{0});
    system.emplace(config);
    unit.emplace(&*system);
    registry.emplace(*system, backend);
    unit->proxy_registry_ptr(&*registry);
    // CAF 0.17 binds a null argument tuple for a spawn without arguments (UBSan reports it).
    someone = system->spawn([](int) { return caf::behavior{[](int) {}}; }, 0);
  }

  ~serialization_fixture() { caf::anon_send_exit(someone, caf::exit_reason::user_shutdown); }

  template <class T>
  T round_trip(T value) {
    std::vector<char> buffer;
    caf::binary_serializer sink{*system, buffer};
    BOOST_REQUIRE(!sink(value));
    T back;
    caf::binary_deserializer source{&*unit, buffer};
    auto error = source(back);
    BOOST_REQUIRE_MESSAGE(!error, system->render(error));
    return back;
  }

  caf::actor_system_config config;
  std::optional<caf::actor_system> system;
  local_only backend;
  std::optional<caf::scoped_execution_unit> unit;
  std::optional<caf::proxy_registry> registry;
  caf::actor someone;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(message_types_tests, serialization_fixture)

BOOST_AUTO_TEST_CASE(a_room_call_keeps_its_caller_and_command) {
  edit_command edit{room, "alice",
                    json_to_value(json::parse(R"([{"op":"incr","path":"/n","by":2}])"))};
  edit.key = "k";
  room_call call{caller{someone, 42, false}, edit};
  auto back = round_trip(call);
  BOOST_TEST((back.from.reply_to == someone));
  BOOST_TEST(back.from.msgid == 42u);
  BOOST_TEST(!back.from.wants_reply);
  auto& got = std::get<edit_command>(back.command);
  BOOST_TEST((got.ops == edit.ops));
  BOOST_TEST((got.key == std::optional<std::string>{"k"}));
}

BOOST_AUTO_TEST_CASE(a_call_reply_keeps_its_optional_parts) {
  call_reply reply;
  reply.msgid = 7;
  reply.frame = std::string("\x94\x01\x07\xc0\xc0", 5);
  auto plain = round_trip(reply);
  BOOST_TEST(plain.frame == reply.frame);
  BOOST_TEST(!plain.error);
  BOOST_TEST(!plain.subscribed_room);
  reply.error = error_code::unavailable;
  reply.subscribed_room = room;
  reply.subscribed_version = 9;
  reply.holder = someone;
  auto full = round_trip(reply);
  BOOST_TEST((full.holder == someone));
  BOOST_TEST((full.error == std::optional<error_code>{error_code::unavailable}));
  BOOST_TEST((full.subscribed_room == std::optional<std::string>{room}));
  BOOST_TEST(full.subscribed_version == 9u);
}

BOOST_AUTO_TEST_CASE(a_room_event_is_unchanged) {
  auto back = round_trip(room_event{room, 12, true, "frame-bytes", room_key{}});
  BOOST_TEST(back.room == room);
  BOOST_TEST(back.version == 12u);
  BOOST_TEST(back.deleted);
  BOOST_TEST(back.frame == "frame-bytes");
  // The key is not sent: the receiving node makes it again from the id.
  BOOST_TEST((back.key == room_key::of(room).value_or(room_key{})));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
