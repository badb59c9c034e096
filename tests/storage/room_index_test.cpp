// The room index (actors/storage/room_index.hpp) in both of its homes, the memory index and the
// RocksDB store: after any sequence of changes its keys are what the rooms' summaries give, and
// `list` answers exactly what a scan of every room would (every condition, pages in room-id
// order), reading only what it returns. A change and its index keys are one write: a failing
// disk leaves neither.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "actors/index_upgrade.hpp"
#include "actors/storage/data_dir.hpp"
#include "actors/storage/room_index.hpp"
#include "actors/storage/store_keys.hpp"
#include "protocol/room_id.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"
#include "tests/storage/failing_fs.hpp"
#include "tests/storage/store_test_helpers.hpp"

namespace rooms::test {

namespace {

// A model room: what its summary says.
struct model_room {
  room_summary summary;
};

value random_meta_value(std::mt19937& random) {
  switch (random() % 9) {
    case 0:
      return value::boolean(random() % 2 == 0);
    case 1:
      return value::integer(static_cast<std::int64_t>(random() % 5) - 2);
    case 2:
      return value::floating(static_cast<double>(random() % 5) - 2.0);  // equals an integer
    case 3:
      return value::floating((static_cast<double>(random() % 9) - 4.0) / 4.0);
    case 4:
      return value::unsigned_integer((std::uint64_t{1} << 53) + random() % 3);  // beyond doubles
    case 5:
      return value::floating(std::nan(""));
    default: {
      static const char* words[] = {"eu", "eu-1", "eu-2", "us", "", std::string("a\0b", 3).c_str()};
      std::string word = random() % 7 == 0 ? std::string("a\0b", 3) : words[random() % 5];
      return value::string(word);
    }
  }
}

room_summary random_summary(std::mt19937& random, std::uint64_t version) {
  room_summary s;
  s.owner = "owner" + std::to_string(random() % 3);
  s.version = version;
  s.members = random() % 4;
  value_map meta;
  for (const char* key : {"a", "b", "c"})
    if (random() % 3 != 0) meta.insert_or_assign(key, random_meta_value(random));
  s.meta = value::map(std::move(meta));
  if (random() % 3 == 0) s.expires_at_ms = 1000 + random() % 50;
  return s;
}

list_condition random_condition(std::mt19937& random) {
  static const char* keys[] = {"a", "b", "c", "$members"};
  list_condition c;
  c.key = keys[random() % 4];
  const bool members = c.key == members_key;
  switch (random() % (members ? 2 : 4)) {
    case 0:
      c.kind = list_condition::eq;
      c.equals = members ? value::integer(random() % 4) : random_meta_value(random);
      if (c.equals.is_float() && std::isnan(c.equals.as_double())) c.equals = value::integer(1);
      break;
    case 1:
      c.kind = list_condition::range;
      if (random() % 3 != 0) c.gte = value::floating((static_cast<double>(random() % 9) - 4) / 2);
      if (!c.gte || random() % 2 == 0) c.lte = value::integer(static_cast<int>(random() % 5) - 1);
      break;
    case 2:
      c.kind = list_condition::prefix;
      c.starts_with = random() % 2 == 0 ? "eu" : (random() % 2 == 0 ? "" : "eu-");
      break;
    default:
      c.kind = list_condition::exists;
      c.present = random() % 2 == 0;
  }
  return c;
}

// What `list` must answer: every room, in id order, filtered.
list_page brute_force(const std::map<std::string, model_room>& rooms, const list_query& query) {
  list_page page;
  for (auto it = rooms.upper_bound(query.after); it != rooms.end(); ++it) {
    if (!query.matches(it->second.summary.meta, it->second.summary.members)) continue;
    if (page.rooms.size() == query.limit) {
      page.more = true;
      break;
    }
    page.rooms.push_back(list_entry(it->first, it->second.summary));
  }
  return page;
}

std::vector<std::string> ids(const list_page& page) {
  std::vector<std::string> out;
  for (const value& entry : page.rooms) out.emplace_back(entry.as_map().find("room")->as_string());
  return out;
}

// Both homes of the index, changed alike.
struct both_indexes {
  temp_dir dir;
  std::unique_ptr<room_store> store = open_ok(dir.path());
  memory_index memory;

  void apply(const std::string& room, const index_change& change) {
    memory.apply(change);
    room_write w;
    w.room = room;
    w.index = change;
    write_ok(*store, {std::move(w)});
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(room_index)

BOOST_AUTO_TEST_CASE(list_answers_what_a_scan_of_every_room_would) {
  std::mt19937 random(20261206);
  both_indexes index;
  std::map<std::string, model_room> rooms;
  for (int step = 0; step < 600; ++step) {
    // Create, change or delete a room.
    const unsigned what = random() % 10;
    if (rooms.empty() || what < 4) {
      const std::string id = new_room_id();
      room_summary s = random_summary(random, 1);
      index.apply(id, index_delta(id, nullptr, &s));
      rooms[id] = {s};
    } else {
      auto it = rooms.begin();
      std::advance(it, random() % rooms.size());
      if (what == 9) {
        index.apply(it->first, index_delta(it->first, &it->second.summary, nullptr));
        rooms.erase(it);
      } else {
        room_summary next = random_summary(random, it->second.summary.version + 1);
        if (what == 8) {  // a version move only (an edit)
          next = it->second.summary;
          ++next.version;
        }
        index.apply(it->first, index_delta(it->first, &it->second.summary, &next));
        it->second.summary = next;
      }
    }
    if (step % 20 != 0) continue;
    for (int q = 0; q < 30; ++q) {
      list_query query;
      for (unsigned n = random() % 4; n > 0; --n) query.where.push_back(random_condition(random));
      query.limit = 1 + random() % 12;
      if (random() % 2 == 0 && !rooms.empty()) {
        auto it = rooms.begin();
        std::advance(it, random() % rooms.size());
        query.after = random() % 2 == 0 ? it->first : new_room_id();
      }
      const list_page want = brute_force(rooms, query);
      for (auto* view : {index.memory.view().release(), index.store->read_index().release()}) {
        std::unique_ptr<index_view> owned(view);
        auto got = find_rooms(*owned, query);
        BOOST_TEST_REQUIRE(got.ok(), (got.ok() ? std::string{} : got.error().message));
        BOOST_TEST(ids(*got) == ids(want), value_to_json(list_query_params(query)).dump());
        // As bytes: a non-negative integer reads back as MessagePack's unsigned kind.
        BOOST_TEST(to_msgpack_bytes(value::array(got->rooms)) ==
                   to_msgpack_bytes(value::array(want.rooms)));
        BOOST_TEST(got->more == want.more);
      }
    }
  }
  // The memory index holds exactly the keys of the rooms as they are now: nothing stale.
  memory_index fresh;
  for (const auto& [id, room] : rooms) fresh.apply(index_delta(id, nullptr, &room.summary));
  BOOST_TEST(index.memory.keys() == fresh.keys());
}

BOOST_AUTO_TEST_CASE(a_page_walk_reads_the_rooms_it_returns_not_the_node) {
  // A counting view: how many keys a query touched.
  struct counting_view : index_view {
    struct counting_cursor : index_cursor {
      counting_cursor(std::unique_ptr<index_cursor> inner, std::size_t& touched)
          : inner_(std::move(inner)), touched_(touched) {}
      void seek(std::string_view key) override {
        ++touched_;
        inner_->seek(key);
      }
      void next() override {
        ++touched_;
        inner_->next();
      }
      bool valid() const override { return inner_->valid(); }
      std::string_view key() const override { return inner_->key(); }
      std::string_view value() const override { return inner_->value(); }
      std::optional<rooms_error> error() const override { return inner_->error(); }
      std::unique_ptr<index_cursor> inner_;
      std::size_t& touched_;
    };
    explicit counting_view(std::unique_ptr<index_view> inner) : inner_(std::move(inner)) {}
    std::unique_ptr<index_cursor> cursor(std::string_view until) override {
      return std::make_unique<counting_cursor>(inner_->cursor(until), touched);
    }
    result<std::vector<std::optional<std::string>>> get_many(
        const std::vector<std::string>& keys) override {
      touched += keys.size();
      return inner_->get_many(keys);
    }
    std::unique_ptr<index_view> inner_;
    std::size_t touched = 0;
  };
  memory_index memory;
  for (int i = 0; i < 20000; ++i) {
    room_summary s;
    s.owner = "o";
    s.members = 1;
    s.meta = value::map();
    s.meta.as_map().insert_or_assign("mode", value::string(i % 200 == 0 ? "rare" : "common"));
    s.meta.as_map().insert_or_assign("seats", value::integer(i % 1000));
    const std::string id = new_room_id();
    memory.apply(index_delta(id, nullptr, &s));
  }
  list_query query;
  query.where.push_back(list_condition{list_condition::eq, "mode", value::string("rare")});
  query.limit = 1000;
  counting_view view(memory.view());
  auto page = find_rooms(view, query);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page->rooms.size() == 100u);
  // Per room: a step in its one posting list, and its summary.
  BOOST_TEST(view.touched <= 2 * 100u + 4);
  // A range on seats reads its own postings only.
  list_query range;
  range.where.push_back(list_condition{
      list_condition::range, "seats", {}, {}, value::integer(10), value::integer(11)});
  counting_view range_view(memory.view());
  auto ranged = find_rooms(range_view, range);
  BOOST_REQUIRE(ranged.ok());
  BOOST_TEST(ranged->rooms.size() == 40u);
  BOOST_TEST(range_view.touched <= 2 * 40u + 2);
}

BOOST_AUTO_TEST_CASE(due_rooms_come_earliest_first_up_to_the_bound) {
  memory_index memory;
  for (std::uint64_t at : {5000, 1000, 3000, 2000, 9000}) {
    room_summary s;
    s.expires_at_ms = at;
    memory.apply(index_delta(new_room_id(), nullptr, &s));
  }
  auto view = memory.view();
  auto due = due_rooms(*view, 3000, 10);
  BOOST_REQUIRE(due.ok());
  BOOST_REQUIRE_EQUAL(due->size(), 3u);
  BOOST_TEST((*due)[0].at_ms == 1000u);
  BOOST_TEST((*due)[2].at_ms == 3000u);
  BOOST_TEST(due_rooms(*view, 99999, 2)->size() == 2u);
  BOOST_TEST(due_rooms(*view, 999, 10)->empty());
}

BOOST_AUTO_TEST_CASE(a_room_and_its_index_are_written_together_or_not_at_all) {
  auto fs = std::make_shared<failing_fs>();
  temp_dir dir;
  store_options options;
  options.env = env_over(fs);
  auto store = open_ok(dir.path(), options);
  const std::string id = new_room_id();
  room_write created = create(id);
  room_summary first;
  first.owner = "alice";
  first.members = 1;
  first.meta = value::map();
  first.meta.as_map().insert_or_assign("mode", value::string("ranked"));
  created.index = index_delta(id, nullptr, &first);
  write_ok(*store, {created});
  BOOST_TEST((load_ok(*store, id).summary == first));

  // The next change fails on the disk: neither its event nor its index keys are stored.
  room_summary second = first;
  second.version = 2;
  second.meta.as_map().insert_or_assign("mode", value::string("casual"));
  second.expires_at_ms = 5;
  room_write changed = edit(id, 2);
  changed.index = index_delta(id, &first, &second);
  fs->failing = true;
  BOOST_TEST(store->write({changed}, true).has_value());
  fs->failing = false;
  write_ok(*store, {});  // nothing; the next real write reopens
  store.reset();
  store = open_ok(dir.path(), options);
  const stored_room loaded = load_ok(*store, id);
  BOOST_TEST(versions(loaded) == std::vector<std::uint64_t>{1});
  BOOST_TEST((loaded.summary == first));
  list_query ranked;
  ranked.where.push_back(list_condition{list_condition::eq, "mode", value::string("ranked")});
  auto view = store->read_index();
  BOOST_TEST(ids(*find_rooms(*view, ranked)) == std::vector<std::string>{id});
  BOOST_TEST(due_rooms(*view, 100, 10)->empty());
  view.reset();

  // Erasing the room erases its index keys in the same batch.
  room_write gone = erase(id);
  gone.index = index_delta(id, &first, nullptr);
  write_ok(*store, {gone});
  auto after = store->read_index();
  BOOST_TEST(find_rooms(*after, list_query{})->rooms.empty());
}

BOOST_AUTO_TEST_CASE(a_store_made_before_the_index_is_indexed_once) {
  temp_dir dir;
  std::vector<std::string> ids;
  {
    auto store = open_ok(dir.path());
    // Rooms written as a store before the index wrote them: images and events, no index keys.
    for (int i = 0; i < 5; ++i) {
      ids.push_back(new_room_id());
      room_write w = create(ids.back());
      w.events.clear();  // the sample event is not one a room makes
      w.image->meta = value::map();
      w.image->meta.as_map().insert_or_assign("n", value::integer(i));
      write_ok(*store, {w});
    }
    BOOST_TEST(*store->index_complete());
  }
  raw_delete(data_dir::store_path(dir.path()), std::string{store_keys::index_marker_key});
  auto store = open_ok(dir.path());
  BOOST_TEST(!*store->index_complete());
  auto limits_ptr = std::make_shared<const limits>();
  auto indexed = index_stored_rooms(*store, limits_ptr);
  BOOST_TEST_REQUIRE(indexed.ok(), (indexed.ok() ? std::string{} : indexed.error().message));
  BOOST_TEST(*indexed == 5u);
  BOOST_TEST(*store->index_complete());
  list_query query;
  query.where.push_back(list_condition{list_condition::range, "n", {}, {}, value::integer(3)});
  auto view = store->read_index();
  auto page = find_rooms(*view, query);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page->rooms.size() == 2u);
  view.reset();
  // Once complete, nothing is read again.
  BOOST_TEST(*index_stored_rooms(*store, limits_ptr) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms::test
