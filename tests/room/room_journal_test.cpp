// The journal keeps one write per room in flight, batches what waits, folds on policy, and
// drops waiting changes after a failure (so storage never gets a gap).
#include "actors/room/room_journal.hpp"
#include "protocol/value_json.hpp"

#include <boost/test/unit_test.hpp>

namespace rooms {

namespace {

using json = nlohmann::json;

event_record change(std::uint64_t version) {
  return event_record{
      json_to_value({{"room", "r"}, {"version", version}, {"type", "joined"}, {"user", "u"}})};
}

room_image image_at(std::uint64_t version) {
  room_image image;
  image.id = "r";
  image.owner = "u";
  image.version = version;
  return image;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(room_journal_rules)

BOOST_AUTO_TEST_CASE(a_new_room_is_stored_by_its_image_first) {
  room_journal journal("r", {}, 0, 0);
  journal.created(image_at(1));
  auto first = journal.next_write([] { return image_at(99); }, 2, 1, std::nullopt);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->image->version == 1u);
  BOOST_TEST(first->events.empty());
  BOOST_TEST(journal.durable_version() == 0u);
  journal.written();
  BOOST_TEST(journal.durable_version() == 1u);
  BOOST_TEST(journal.settled());
}

BOOST_AUTO_TEST_CASE(changes_made_while_a_write_is_in_flight_go_out_together) {
  room_journal journal("r", {}, 1, 1);
  journal.record(change(2), 10);
  auto first = journal.next_write([] { return image_at(99); }, 2, 1, std::nullopt);
  BOOST_TEST(first->events.size() == 1u);
  journal.record(change(3), 10);
  journal.record(change(4), 10);
  BOOST_TEST(!journal.next_write([] { return image_at(99); }, 2, 1, std::nullopt).has_value());
  journal.written();
  BOOST_TEST(journal.durable_version() == 2u);
  auto second = journal.next_write([] { return image_at(99); }, 2, 1, std::nullopt);
  BOOST_REQUIRE_EQUAL(second->events.size(), 2u);
  BOOST_TEST(second->events[0].version() == 3u);
  BOOST_TEST(second->events[1].version() == 4u);
  journal.written();
  BOOST_TEST(journal.durable_version() == 4u);
}

BOOST_AUTO_TEST_CASE(a_fold_adds_the_current_image_and_trims_what_is_no_longer_retained) {
  room_journal journal("r", fold_policy{3, 1 << 30}, 1, 1);
  journal.record(change(2), 1);
  journal.record(change(3), 1);
  auto early = journal.next_write([] { return image_at(3); }, 2, 1, std::nullopt);
  BOOST_TEST(!early->image.has_value());
  journal.written();
  journal.record(change(4), 1);
  auto folded = journal.next_write([] { return image_at(4); }, 3, 1, std::nullopt);
  BOOST_REQUIRE(folded->image.has_value());
  BOOST_TEST(folded->image->version == 4u);
  BOOST_TEST(folded->trim_events_through == 2u);
  journal.written();
  journal.record(change(5), 1);
  BOOST_TEST(
      !journal.next_write([] { return image_at(5); }, 3, 1, std::nullopt)->image.has_value());
}

BOOST_AUTO_TEST_CASE(a_big_room_folds_once_its_events_add_up_to_half_its_data) {
  room_journal journal("r", fold_policy{2, 1 << 30}, 1, 1);
  journal.record(change(2), 100);
  journal.record(change(3), 100);
  auto small_events = journal.next_write([] { return image_at(3); }, 2, 1000, std::nullopt);
  BOOST_TEST(!small_events->image.has_value());  // 200 event bytes, 1000 data bytes
  journal.written();
  journal.record(change(4), 300);
  auto half = journal.next_write([] { return image_at(4); }, 2, 1000, std::nullopt);
  BOOST_REQUIRE(half->image.has_value());  // 500 event bytes since the image
  BOOST_TEST(half->image->version == 4u);
}

BOOST_AUTO_TEST_CASE(bytes_also_trigger_a_fold) {
  room_journal journal("r", fold_policy{1000, 100}, 1, 1);
  journal.record(change(2), 150);
  auto w = journal.next_write([] { return image_at(2); }, 2, 1, std::nullopt);
  BOOST_TEST(w->image.has_value());
  BOOST_TEST(w->trim_events_through == 1u);
}

BOOST_AUTO_TEST_CASE(a_deletion_erases_and_replaces_waiting_changes) {
  room_journal journal("r", {}, 1, 1);
  journal.record(change(2), 1);
  journal.next_write([] { return image_at(2); }, 2, 1, std::nullopt);
  journal.record(change(3), 1);
  journal.erased(4);
  journal.written();
  auto erase = journal.next_write([] { return image_at(4); }, 2, 1, std::nullopt);
  BOOST_TEST(erase->erase);
  BOOST_TEST(erase->events.empty());
  BOOST_TEST(!erase->image.has_value());
  journal.written();
  BOOST_TEST(journal.durable_version() == 4u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_drops_what_waits_and_keeps_the_durable_version) {
  room_journal journal("r", {}, 5, 5);
  journal.record(change(6), 1);
  journal.next_write([] { return image_at(6); }, 2, 1, std::nullopt);
  journal.record(change(7), 1);
  journal.failed();
  BOOST_TEST(journal.durable_version() == 5u);
  BOOST_TEST(journal.settled());
  BOOST_TEST(!journal.next_write([] { return image_at(7); }, 2, 1, std::nullopt).has_value());
}

BOOST_AUTO_TEST_CASE(each_write_carries_the_index_keys_that_changed_since_the_last) {
  room_journal journal("r", {}, 0, 0);
  journal.created(image_at(1));
  room_summary first;
  first.owner = "u";
  first.members = 1;
  auto created = journal.next_write([] { return image_at(1); }, 2, 1, first);
  BOOST_REQUIRE(created.has_value());
  // The summary and the member-count posting, with the image.
  BOOST_TEST(created->index.puts.size() == 2u);
  BOOST_TEST(created->index.removes.empty());
  journal.written();
  // Nothing changed: no write.
  BOOST_TEST(!journal.next_write([] { return image_at(1); }, 2, 1, first).has_value());
  // A clock that moved alone (a deadline) makes a write of its own, with no events.
  room_summary later = first;
  later.expires_at_ms = 5000;
  auto clock = journal.next_write([] { return image_at(1); }, 2, 1, later);
  BOOST_REQUIRE(clock.has_value());
  BOOST_TEST(clock->events.empty());
  BOOST_TEST(!clock->image.has_value());
  BOOST_TEST(clock->index.puts.size() == 2u);  // summary and deadline
  journal.written();
  // The deletion removes every key the room had.
  journal.erased(2);
  auto erase = journal.next_write([] { return image_at(2); }, 2, 1, std::nullopt);
  BOOST_REQUIRE(erase.has_value());
  BOOST_TEST(erase->erase);
  BOOST_TEST(erase->index.puts.empty());
  BOOST_TEST(erase->index.removes.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
