// presence_table (actors/room/presence_table.hpp): entering, renewing, updating and every way an
// entry leaves, the limits, deadlines on an explicit clock, and the list's order.
#include "actors/room/presence_table.hpp"

#include <boost/test/unit_test.hpp>

namespace rooms {
namespace {

using namespace std::chrono_literals;
using clock = presence_table::clock;

presence_command entry(const std::string& user, const std::string& session, value data,
                       std::optional<std::uint64_t> ttl_ms = std::nullopt) {
  presence_command cmd;
  cmd.room = "r";
  cmd.user = user;
  cmd.session = session;
  cmd.data = std::move(data);
  cmd.ttl_ms = ttl_ms;
  return cmd;
}

value with(std::int64_t x) {
  value_map m;
  m.insert_or_assign("x", value::integer(x));
  return value::map(std::move(m));
}

const clock::time_point t0{};

BOOST_AUTO_TEST_SUITE(presence_table_tests)

BOOST_AUTO_TEST_CASE(an_entry_enters_then_updates_and_equal_data_only_renews) {
  presence_table table;
  auto first = table.set(entry("bob", "phone", with(1)), 7, t0, 10, 1024);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST_REQUIRE(first->has_value());
  BOOST_TEST((*first)->kind == presence_table::change::entered);
  BOOST_TEST(((*first)->data == with(1)));
  auto same = table.set(entry("bob", "phone", with(1)), 7, t0, 10, 1024);
  BOOST_TEST(!same->has_value());
  auto other = table.set(entry("bob", "phone", with(2)), 7, t0, 10, 1024);
  BOOST_TEST((*other)->kind == presence_table::change::updated);
  BOOST_TEST(table.size() == 1u);
  // Another session of the same user is another entry.
  BOOST_TEST((*table.set(entry("bob", "laptop", with(3)), 7, t0, 10, 1024))->kind ==
             presence_table::change::entered);
  BOOST_TEST(table.present("bob", "laptop"));
}

BOOST_AUTO_TEST_CASE(nil_data_removes_and_removing_nothing_changes_nothing) {
  presence_table table;
  BOOST_TEST(!table.set(entry("bob", "", value{}), 1, t0, 10, 1024)->has_value());
  table.set(entry("bob", "", with(1)), 1, t0, 10, 1024);
  auto removed = table.set(entry("bob", "", value{}), 1, t0, 10, 1024);
  BOOST_TEST((*removed)->kind == presence_table::change::left);
  BOOST_TEST((*removed)->reason == "explicit");
  BOOST_TEST(table.empty());
}

BOOST_AUTO_TEST_CASE(limits_refuse_big_data_and_a_new_entry_past_the_most) {
  presence_table table;
  value_map big;
  big.insert_or_assign("s", value::string(std::string(100, 'x')));
  auto too_big = table.set(entry("bob", "", value::map(std::move(big))), 1, t0, 10, 64);
  BOOST_TEST_REQUIRE(!too_big.ok());
  BOOST_TEST((too_big.error().code == error_code::too_large));
  table.set(entry("a", "", with(1)), 1, t0, 2, 1024);
  table.set(entry("b", "", with(1)), 1, t0, 2, 1024);
  BOOST_TEST(
      (table.set(entry("c", "", with(1)), 1, t0, 2, 1024).error().code == error_code::too_large));
  // Setting an existing entry again is no new entry.
  BOOST_TEST(table.set(entry("b", "", with(2)), 1, t0, 2, 1024).ok());
}

BOOST_AUTO_TEST_CASE(entries_expire_at_their_deadline_and_a_renewal_moves_it) {
  presence_table table;
  table.set(entry("a", "", with(1), 1000), 1, t0, 10, 1024);
  table.set(entry("b", "", with(1), 5000), 1, t0, 10, 1024);
  table.set(entry("c", "", with(1)), 1, t0, 10, 1024);  // no TTL: lasts
  BOOST_TEST((table.next_deadline() == t0 + 1000ms));
  table.set(entry("a", "", with(1), 1000), 1, t0 + 800ms, 10, 1024);  // renewed
  BOOST_TEST(table.expire(t0 + 1500ms).empty());
  auto ended = table.expire(t0 + 5000ms);
  BOOST_REQUIRE_EQUAL(ended.size(), 2u);
  BOOST_TEST(ended[0].user == "a");
  BOOST_TEST(ended[1].user == "b");
  BOOST_TEST(ended[0].reason == "expired");
  BOOST_TEST(table.size() == 1u);
  BOOST_TEST(!table.next_deadline());
}

BOOST_AUTO_TEST_CASE(an_entry_belongs_to_the_connection_that_set_it_last) {
  presence_table table;
  table.set(entry("a", "", with(1)), 1, t0, 10, 1024);
  table.set(entry("b", "", with(1)), 1, t0, 10, 1024);
  table.set(entry("b", "", with(2)), 2, t0, 10, 1024);  // taken over by connection 2
  auto ended = table.disconnect(1);
  BOOST_REQUIRE_EQUAL(ended.size(), 1u);
  BOOST_TEST(ended[0].user == "a");
  BOOST_TEST(ended[0].reason == "disconnect");
  BOOST_TEST(!table.owns(1));
  BOOST_TEST(table.owns(2));
}

BOOST_AUTO_TEST_CASE(owners_are_counted_through_every_change) {
  presence_table table;
  table.set(entry("a", "1", with(1)), 7, t0, 10, 1024);
  table.set(entry("a", "2", with(1)), 7, t0, 10, 1024);
  table.set(entry("b", "", with(1)), 3, t0, 10, 1024);
  BOOST_TEST((table.owners() == std::vector<presence_owner>{3, 7}));
  table.set(entry("a", "1", with(2)), 3, t0, 10, 1024);  // 7 keeps a/2
  BOOST_TEST((table.owners() == std::vector<presence_owner>{3, 7}));
  table.set(entry("a", "2", value{}), 3, t0, 10, 1024);  // removed by another connection
  BOOST_TEST((table.owners() == std::vector<presence_owner>{3}));
  BOOST_TEST(!table.owns(7));
  table.user_left("a");
  BOOST_TEST(table.owns(3));  // b
  table.disconnect(3);
  BOOST_TEST(table.owners().empty());
  table.set(entry("c", "", with(1)), 9, t0, 10, 1024);
  table.clear();
  BOOST_TEST(!table.owns(9));
}

BOOST_AUTO_TEST_CASE(a_deadline_is_found_by_its_key) {
  presence_table table;
  table.set(entry("a", "s", with(1), 1000), 1, t0, 10, 1024);
  table.set(entry("a", "t", with(1)), 1, t0, 10, 1024);
  BOOST_TEST((table.deadline_of("a", "s") == t0 + 1000ms));
  BOOST_TEST(!table.deadline_of("a", "t"));
  BOOST_TEST(!table.deadline_of("a", "u"));
  BOOST_TEST(table.present("a", "t"));
  BOOST_TEST(!table.present("b", "t"));
}

BOOST_AUTO_TEST_CASE(a_user_who_leaves_takes_every_session_and_the_list_keeps_entry_order) {
  presence_table table;
  table.set(entry("b", "1", with(1)), 1, t0, 10, 1024);
  table.set(entry("a", "", with(1)), 1, t0, 10, 1024);
  table.set(entry("b", "2", with(1)), 1, t0, 10, 1024);
  const value before = table.list();
  BOOST_REQUIRE_EQUAL(before.as_array().size(), 3u);
  BOOST_TEST(before.as_array()[1].as_map().find("user")->as_string() == "a");
  auto ended = table.user_left("b");
  BOOST_REQUIRE_EQUAL(ended.size(), 2u);
  BOOST_TEST(ended[0].session == "1");
  BOOST_TEST(ended[1].session == "2");
  BOOST_TEST(ended[0].reason == "left");
  BOOST_TEST(table.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_notification_carries_data_or_the_reason) {
  presence_table::change entered{"bob", "s", presence_table::change::entered, with(1)};
  const value note = presence_notification("room-1", entered);
  BOOST_TEST(note.as_map().find("state")->as_string() == "entered");
  BOOST_TEST((*note.as_map().find("data") == with(1)));
  BOOST_TEST(note.as_map().find("reason") == nullptr);
  presence_table::change left{"bob", "s", presence_table::change::left, value{}, "expired"};
  const value gone = presence_notification("room-1", left);
  BOOST_TEST(gone.as_map().find("reason")->as_string() == "expired");
  BOOST_TEST(gone.as_map().find("data") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace rooms
