// `list` against a real node (docs/protocol.md, section 12): every condition, `$members`,
// paging in room-id order, deletions, hibernated and parked rooms, and every refusal. Cases
// labelled `cluster` also run across three nodes, where any node answers for all of them; each
// test finds its own rooms by a tag no other test uses.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/integration/test_support.hpp"

namespace rooms::testing {

namespace {

std::string fresh_tag() {
  std::random_device random;
  return "t" + std::to_string(random()) + std::to_string(random());
}

/// The room ids of a `list` answer, checking each entry's shape and the ascending order.
std::vector<std::string> ids_of(const json& answer) {
  std::vector<std::string> ids;
  for (const json& entry : answer["rooms"]) {
    BOOST_TEST(entry.size() == 5u);
    for (const char* key : {"room", "owner", "version", "members", "meta"})
      BOOST_TEST(entry.contains(key), key);
    ids.push_back(entry["room"].get<std::string>());
  }
  BOOST_TEST(std::is_sorted(ids.begin(), ids.end()));
  return ids;
}

json where_tag(const std::string& tag) { return json{{"key", "tag"}, {"eq", tag}}; }

/// A room of `user` with meta {"tag": tag}; its id.
std::string create_tagged(rooms_client& client, const std::string& tag,
                          const std::string& user = "alice") {
  return must(client.call("create", {{"user", user}, {"meta", {{"tag", tag}}}}))["room"]
      .get<std::string>();
}

std::vector<std::string> list_ids(rooms_client& client, json where, int limit = 1000) {
  json answer = must(client.call("list", {{"where", std::move(where)}, {"limit", limit}}));
  BOOST_TEST(answer["next"].is_null());
  return ids_of(answer);
}

/// Asks for the page of `where` after `after` (nil: the first), appends its ids to `walked`,
/// and returns its `next` (the last of them when set).
json walk_page(rooms_client& client, const json& where, int limit, const json& after,
               std::vector<std::string>& walked) {
  json args = {{"where", where}, {"limit", limit}};
  if (!after.is_null()) args["after"] = after;
  json answer = must(client.call("list", args));
  auto got = ids_of(answer);
  walked.insert(walked.end(), got.begin(), got.end());
  if (!answer["next"].is_null()) BOOST_TEST(answer["next"] == got.back());
  return answer["next"];
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(list)

BOOST_AUTO_TEST_CASE(every_condition_finds_exactly_its_rooms, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string tag = fresh_tag();
  // Room i: mode ranked for even i, seats 4, taken i % 5, region "eu-<i % 3>", open unless
  // i % 4 == 0, a "vip" key only for i % 7 == 0, and 1 + (i % 3) members.
  std::vector<std::string> ids;
  std::vector<json> metas;
  for (int i = 0; i < 24; ++i) {
    json meta = {
        {"tag", tag},     {"mode", i % 2 == 0 ? "ranked" : "casual"}, {"seats", 4},
        {"taken", i % 5}, {"region", "eu-" + std::to_string(i % 3)},  {"open", i % 4 != 0}};
    if (i % 7 == 0) meta["vip"] = 1.5;
    json created =
        must(client.call("create", {{"user", "owner" + std::to_string(i)}, {"meta", meta}}));
    const std::string room = created["room"].get<std::string>();
    for (int m = 0; m < i % 3; ++m)
      must(client.call("join", {{"room", room}, {"user", "member" + std::to_string(m)}}));
    ids.push_back(room);
    metas.push_back(meta);
  }
  const auto expect = [&](const json& extra, auto&& pick) {
    std::vector<std::string> want;
    for (int i = 0; i < 24; ++i)
      if (pick(i)) want.push_back(ids[static_cast<std::size_t>(i)]);
    json where = json::array({where_tag(tag)});
    for (const json& c : extra) where.push_back(c);
    const auto got = list_ids(client, where);
    BOOST_TEST(got == sorted(want), where.dump() << " got " << json(got).dump() << " want "
                                                 << json(sorted(want)).dump());
  };
  expect(json::array(), [](int) { return true; });
  expect(json::array({{{"key", "mode"}, {"eq", "ranked"}}}), [](int i) { return i % 2 == 0; });
  // An integer equals a float of the same value; a boolean equals only a boolean.
  expect(json::array({{{"key", "taken"}, {"eq", 2.0}}}), [](int i) { return i % 5 == 2; });
  expect(json::array({{{"key", "open"}, {"eq", false}}}), [](int i) { return i % 4 == 0; });
  expect(json::array({{{"key", "open"}, {"eq", 0}}}), [](int) { return false; });
  expect(json::array({{{"key", "taken"}, {"eq", "2"}}}), [](int) { return false; });
  expect(json::array({{{"key", "region"}, {"prefix", "eu-1"}}}), [](int i) { return i % 3 == 1; });
  expect(json::array({{{"key", "region"}, {"prefix", "eu"}}}), [](int) { return true; });
  expect(json::array({{{"key", "mode"}, {"prefix", "r"}}}), [](int i) { return i % 2 == 0; });
  expect(json::array({{{"key", "taken"}, {"gte", 1}, {"lte", 3}}}),
         [](int i) { return i % 5 >= 1 && i % 5 <= 3; });
  expect(json::array({{{"key", "taken"}, {"gte", 2.5}}}), [](int i) { return i % 5 >= 3; });
  expect(json::array({{{"key", "taken"}, {"lte", 0}}}), [](int i) { return i % 5 == 0; });
  expect(json::array({{{"key", "mode"}, {"gte", 0}}}), [](int) { return false; });
  expect(json::array({{{"key", "vip"}, {"exists", true}}}), [](int i) { return i % 7 == 0; });
  expect(json::array({{{"key", "vip"}, {"exists", false}}}), [](int i) { return i % 7 != 0; });
  expect(json::array({{{"key", "$members"}, {"gte", 2}}}), [](int i) { return i % 3 >= 1; });
  expect(json::array({{{"key", "$members"}, {"eq", 3}}}), [](int i) { return i % 3 == 2; });
  // Several conditions: all must hold (a lobby: open ranked matches with a free seat).
  expect(json::array({{{"key", "mode"}, {"eq", "ranked"}},
                      {{"key", "open"}, {"eq", true}},
                      {{"key", "taken"}, {"lte", 3}}}),
         [](int i) { return i % 2 == 0 && i % 4 != 0 && i % 5 <= 3; });

  // Entries carry what the room is now.
  json one = must(client.call(
      "list",
      {{"where", json::array({where_tag(tag), {{"key", "$members"}, {"eq", 3}}})}, {"limit", 1}}));
  BOOST_REQUIRE_EQUAL(one["rooms"].size(), 1u);
  const json& entry = one["rooms"][0];
  const auto index = static_cast<std::size_t>(
      std::find(ids.begin(), ids.end(), entry["room"].get<std::string>()) - ids.begin());
  BOOST_TEST(entry["members"] == 3);
  BOOST_TEST(entry["version"] == 3);
  BOOST_TEST(entry["meta"] == metas[index]);
  BOOST_TEST(entry["owner"] == "owner" + std::to_string(index));
  BOOST_TEST(one["next"] == entry["room"]);

  // Changes move rooms in and out of answers.
  const std::string& moved = ids[1];  // casual, taken 1
  must(client.call(
      "set_meta",
      {{"room", moved}, {"user", "owner1"}, {"meta", {{"mode", "ranked"}, {"taken", nullptr}}}}));
  expect(json::array({{{"key", "mode"}, {"eq", "ranked"}}}),
         [](int i) { return i % 2 == 0 || i == 1; });
  expect(json::array({{{"key", "taken"}, {"exists", false}}}), [](int i) { return i == 1; });
  must(client.call("delete", {{"room", ids[0]}, {"user", "owner0"}}));
  must(client.call("leave", {{"room", ids[2]}, {"user", "member0"}}));
  expect(json::array({{{"key", "$members"}, {"eq", 2}}}),
         [](int i) { return i % 3 == 1 || i == 2; });
  expect(json::array({{{"key", "$members"}, {"gte", 3}}}),
         [](int i) { return i % 3 == 2 && i != 2; });
  expect(json::array({{{"key", "mode"}, {"eq", "ranked"}}}),
         [](int i) { return (i % 2 == 0 || i == 1) && i != 0; });
}

BOOST_AUTO_TEST_CASE(pages_walk_every_room_once_in_id_order, *cluster_case) {
  node_process node;
  auto client = node.connect();
  const std::string tag = fresh_tag();
  std::vector<std::string> ids;
  for (int i = 0; i < 23; ++i) ids.push_back(create_tagged(client, tag));
  std::sort(ids.begin(), ids.end());
  for (const json& where : {json::array({where_tag(tag)}),
                            json::array({where_tag(tag), {{"key", "tag"}, {"prefix", "t"}}}),
                            json::array({{{"key", "tag"}, {"prefix", tag}}})}) {
    std::vector<std::string> walked;
    json after = nullptr;
    for (int page = 0; page < 20; ++page) {
      after = walk_page(client, where, 5, after, walked);
      if (after.is_null()) break;
    }
    BOOST_TEST(walked == ids, where.dump());
  }
  // `after` need not be a room that exists.
  json rest = must(client.call(
      "list", {{"where", json::array({where_tag(tag)})}, {"after", ids[10]}, {"limit", 100}}));
  BOOST_TEST(ids_of(rest) == std::vector<std::string>(ids.begin() + 11, ids.end()));
  BOOST_TEST(rest["next"].is_null());
}

BOOST_AUTO_TEST_CASE(a_walk_under_creates_and_deletes_lists_every_stable_room_once) {
  node_process node;
  auto client = node.connect();
  auto churn = node.connect();
  const std::string tag = fresh_tag();
  std::set<std::string> stable;
  for (int i = 0; i < 60; ++i) stable.insert(create_tagged(client, tag));
  std::vector<std::string> walked;
  json after = nullptr;
  for (int page = 0; page < 100; ++page) {
    // Between pages, rooms come and go.
    for (int k = 0; k < 3; ++k) {
      const std::string room = create_tagged(churn, tag, "bob");
      if (k != 0) must(churn.call("delete", {{"room", room}, {"user", "bob"}}));
    }
    after = walk_page(client, json::array({where_tag(tag)}), 7, after, walked);
    if (after.is_null()) break;
  }
  BOOST_TEST(std::is_sorted(walked.begin(), walked.end()));
  BOOST_TEST((std::adjacent_find(walked.begin(), walked.end()) == walked.end()));
  for (const auto& room : stable)
    BOOST_TEST(std::count(walked.begin(), walked.end(), room) == 1, room);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused, *cluster_case) {
  node_process node;
  auto client = node.connect();
  for (const json& args :
       {json{{"limit", 0}}, json{{"limit", 1001}}, json{{"limit", "10"}}, json{{"after", "nope"}},
        json{{"after", "3F2B8C1E-5D4A-4F7B-9C2E-1A6B7D8E9F00"}}, json{{"where", {{"key", "a"}}}},
        json{{"where", json::array({{{"key", "a"}}})}},
        json{{"where", json::array({{{"key", "a"}, {"eq", 1}, {"prefix", "x"}}})}},
        json{{"where", json::array({{{"key", "a"}, {"equals", 1}}})}},
        json{{"where", json::array({{{"key", "a"}, {"eq", json::array()}}})}},
        json{{"where", json::array({{{"key", "a"}, {"prefix", 1}}})}},
        json{{"where", json::array({{{"key", "a"}, {"gte", "1"}}})}},
        json{{"where", json::array({{{"key", "a"}, {"exists", 1}}})}},
        json{{"where", json::array({{{"key", ""}, {"exists", true}}})}},
        json{{"where", json::array({{{"key", "$members"}, {"prefix", "1"}}})}},
        json{{"where", json::array({{{"key", "$members"}, {"eq", "1"}}})}}, json{{"limt", 5}}})
    BOOST_TEST(code_of(client.call("list", args)) == "invalid_argument", args.dump());
  // No arguments: the first page of everything.
  json all = must(client.call("list"));
  BOOST_TEST(all["rooms"].is_array());
  BOOST_TEST(all.contains("next"));
}

BOOST_AUTO_TEST_CASE(hibernated_and_parked_rooms_are_listed) {
  for (const char* durability : {"sync", "none"}) {
    node_process node({"--durability", durability, "--hibernate-after-ms", "100"});
    auto client = node.connect();
    const std::string tag = fresh_tag();
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i)
      ids.push_back(must(client.call(
          "create", {{"user", "alice"}, {"meta", {{"tag", tag}, {"n", i}}}}))["room"]
                        .get<std::string>());
    std::this_thread::sleep_for(800ms);
    json stats = must(client.call("stats"));
    if (std::string{durability} == "none")
      BOOST_TEST(stats["rooms_parked"] == 10);
    else
      BOOST_TEST(stats["rooms"] == 0);
    BOOST_TEST(list_ids(client, json::array({where_tag(tag)})) == sorted(ids), durability);
    BOOST_TEST(list_ids(client, json::array({where_tag(tag), {{"key", "n"}, {"gte", 5}}})).size() ==
               5u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::testing
