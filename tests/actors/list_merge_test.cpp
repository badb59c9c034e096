// Merging the pages of a cluster-wide `list` (actors/directory/list_merge.hpp): room-id order,
// the limit, when `next` is set, unavailable nodes, and a failed local read.
#include "actors/directory/list_merge.hpp"

#include <boost/test/unit_test.hpp>

#include "protocol/value_json.hpp"

namespace rooms::test {

namespace {

list_page page_of(std::vector<std::string> ids, bool more) {
  list_page page;
  for (auto& id : ids) {
    value_map entry;
    entry.insert_or_assign("room", value::string(id));
    page.rooms.push_back(value::map(std::move(entry)));
  }
  page.more = more;
  return page;
}

nlohmann::json ids_of(const value& answer) {
  nlohmann::json ids = nlohmann::json::array();
  for (const value& entry : answer.as_map().find("rooms")->as_array())
    ids.push_back(entry.as_map().find("room")->as_string());
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(list_merge_rules)

BOOST_AUTO_TEST_CASE(pages_merge_in_room_id_order_up_to_the_limit) {
  list_merge merge(3, 3);
  merge.add(page_of({"b", "e"}, false));
  BOOST_TEST(!merge.complete());
  merge.add(page_of({"a", "d"}, false));
  merge.add(page_of({}, false));
  BOOST_REQUIRE(merge.complete());
  auto answer = merge.answer();
  BOOST_REQUIRE(answer.ok());
  BOOST_TEST(ids_of(*answer) == (nlohmann::json{"a", "b", "d"}));
  // More rooms were found than the limit: the page's last id continues the walk.
  BOOST_TEST(answer->as_map().find("next")->as_string() == "d");
  BOOST_TEST(answer->as_map().find("unavailable") == nullptr);
}

BOOST_AUTO_TEST_CASE(next_is_set_when_any_node_has_more_and_nil_otherwise) {
  list_merge more(2, 2);
  more.add(page_of({"a", "c"}, true));
  more.add(page_of({}, false));
  BOOST_TEST(more.answer()->as_map().find("next")->as_string() == "c");
  list_merge last(5, 2);
  last.add(page_of({"a", "c"}, false));
  last.add(page_of({"b"}, false));
  BOOST_TEST(last.answer()->as_map().find("next")->is_nil());
}

BOOST_AUTO_TEST_CASE(nodes_that_did_not_answer_are_named) {
  list_merge merge(10, 3);
  merge.unavailable("node3");
  merge.add(page_of({"a"}, false));
  merge.unavailable("node2");
  auto answer = merge.answer();
  BOOST_TEST(value_to_json(*answer->as_map().find("unavailable")) ==
             (nlohmann::json{"node2", "node3"}));
  BOOST_TEST(ids_of(*answer) == (nlohmann::json{"a"}));
}

BOOST_AUTO_TEST_CASE(a_failed_local_read_fails_the_call_and_pages_cross_nodes_intact) {
  list_merge merge(10, 2);
  merge.failed(rooms_error{error_code::unavailable, "disk"});
  merge.add(page_of({"a"}, false));
  BOOST_TEST(!merge.answer().ok());
  auto decoded = decode_list_page(encode_list_page(page_of({"x", "y"}, true)));
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->more);
  BOOST_TEST(decoded->rooms.size() == 2u);
  BOOST_TEST(!decode_list_page("\\x01garbage").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
