// The room index's keys, its changes, its memory home and its queries (room_index.hpp).
#include "actors/storage/room_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <set>

#include "actors/storage/room_codec.hpp"
#include "actors/storage/store_keys.hpp"

namespace rooms {

namespace {

constexpr std::size_t room_id_bytes = 36;

// The postings of `key` ("$members" is the member count: length 0, which no meta key has).
std::string key_part(std::string_view key) {
  std::string out = "i/";
  if (key == members_key) {
    out.push_back('\0');
    return out;
  }
  out.push_back(static_cast<char>(key.size()));
  out.append(key);
  return out;
}

std::string number_part(double d) {
  if (d == 0) d = 0.0;  // -0 and 0 are one value
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  bits = (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
  return "n" + store_keys::encode_u64(bits);
}

std::string escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  return out;
}

std::string value_part(const value& v) {
  if (v.is_bool()) return v.as_bool() ? "b1" : "b0";
  if (v.is_number()) {
    const double d = v.as_double();
    return std::isnan(d) ? "N" : number_part(d);
  }
  std::string out = "s" + escaped(v.as_string());
  out.append("\0\1", 2);
  return out;
}

// The first key after every key that starts with `prefix`.
std::string prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

std::set<std::string> keys_of(std::string_view room, const room_summary* summary) {
  std::set<std::string> keys;
  if (summary == nullptr) return keys;
  for (const auto& member : summary->meta.as_map())
    keys.insert(index_keys::posting_prefix(member.key.as_string(), member.val).append(room));
  keys.insert(key_part(members_key) + number_part(static_cast<double>(summary->members)) +
              std::string{room});
  if (summary->expires_at_ms) keys.insert(index_keys::deadline_key(*summary->expires_at_ms, room));
  return keys;
}

// Candidate room ids in ascending order, from one way of reading the index.
class candidates {
 public:
  virtual ~candidates() = default;
  /// The next id, nullopt when there are no more; a read error ends the walk.
  virtual result<std::optional<std::string>> next() = 0;
};

// The rooms of one posting list (`prefix`), after `after`: one cursor, read in order.
class posting_walk : public candidates {
 public:
  posting_walk(index_view& index, std::string prefix, std::string_view after)
      : prefix_(std::move(prefix)), cursor_(index.cursor(prefix_end(prefix_))) {
    const std::string start = prefix_ + std::string{after};
    cursor_->seek(start);
    if (cursor_->valid() && cursor_->key() == start) cursor_->next();
  }

  result<std::optional<std::string>> next() override {
    for (; cursor_->valid(); cursor_->next()) {
      const std::string_view key = cursor_->key();
      if (key.size() != prefix_.size() + room_id_bytes) continue;  // not of this list
      std::string room{key.substr(prefix_.size())};
      cursor_->next();
      return std::optional<std::string>{std::move(room)};
    }
    if (auto error = cursor_->error()) return *error;
    return std::optional<std::string>{};
  }

  /// Moves on to the first room at or after `room` (never back).
  void skip_to(std::string_view room) { cursor_->seek(prefix_ + std::string{room}); }

 private:
  std::string prefix_;
  std::unique_ptr<index_cursor> cursor_;
};

// The rooms every one of several posting lists holds: each list skips ahead to the largest id
// any other has reached, so the walk reads about as much as the shortest list.
class common_walk : public candidates {
 public:
  common_walk(index_view& index, const std::vector<std::string>& lists, std::string_view after) {
    for (const std::string& list : lists)
      walks_.push_back(std::make_unique<posting_walk>(index, list, after));
  }

  result<std::optional<std::string>> next() override {
    auto first = walks_[0]->next();
    if (!first || !*first) return first;
    std::string candidate = std::move(**first);
    for (std::size_t i = 1; i < walks_.size();) {
      walks_[i]->skip_to(candidate);
      auto at = walks_[i]->next();
      if (!at || !*at) return at;
      if (**at == candidate) {
        ++i;
        continue;
      }
      // List i has nothing before **at: the first list skips there, and all start again.
      walks_[0]->skip_to(**at);
      auto again = walks_[0]->next();
      if (!again || !*again) return again;
      candidate = std::move(**again);
      i = 1;
    }
    return std::optional<std::string>{std::move(candidate)};
  }

 private:
  std::vector<std::unique_ptr<posting_walk>> walks_;
};

// The postings range one `prefix`, number range or `exists: true` condition covers.
std::pair<std::string, std::string> condition_range(const list_condition& c) {
  const std::string key = key_part(c.key);
  switch (c.kind) {
    case list_condition::prefix: {
      std::string from = key + "s" + escaped(c.starts_with);
      return {from, prefix_end(from)};
    }
    case list_condition::range: {
      std::string from = key + (c.gte ? number_part(c.gte->as_double()) : "n");
      std::string until = prefix_end(key + (c.lte ? number_part(c.lte->as_double()) : "n"));
      return {std::move(from), std::move(until)};
    }
    default:
      return {key, prefix_end(key)};
  }
}

// The rooms of one non-`eq` condition's postings after `after`: its range holds them in value
// order, so they are read whole and sorted (the cost of the rooms matching that condition).
class sorted_walk : public candidates {
 public:
  static result<std::unique_ptr<sorted_walk>> read(index_view& index, const list_condition& c,
                                                   const std::string& after) {
    const auto [from, until] = condition_range(c);
    auto walk = std::make_unique<sorted_walk>();
    auto error = index.scan(from, until, [&](std::string_view key, std::string_view) {
      if (key.size() < room_id_bytes) return true;
      std::string_view room = key.substr(key.size() - room_id_bytes);
      if (room > after) walk->rooms_.emplace_back(room);
      return true;
    });
    if (error) return *error;
    std::sort(walk->rooms_.begin(), walk->rooms_.end(), std::greater<>());
    walk->rooms_.erase(std::unique(walk->rooms_.begin(), walk->rooms_.end()), walk->rooms_.end());
    return walk;
  }

  result<std::optional<std::string>> next() override {
    if (rooms_.empty()) return std::optional<std::string>{};
    std::string room = std::move(rooms_.back());
    rooms_.pop_back();
    return std::optional<std::string>{std::move(room)};
  }

 private:
  std::vector<std::string> rooms_;  // descending: the next is at the back
};

// Takes matching summaries, in order, up to the limit, plus one that says more follow.
class page_builder {
 public:
  explicit page_builder(const list_query& query) : query_(query) {}

  bool full() const { return more_; }
  /// Candidates still worth reading: the page's free places and the one after them.
  std::size_t wanted() const { return query_.limit + 1 - page_.rooms.size(); }

  result<bool> offer(std::string_view room, std::string_view summary_bytes) {
    auto summary = decode_room_summary(summary_bytes);
    if (!summary) return summary.error();
    if (!query_.matches(summary->meta, summary->members)) return true;
    if (page_.rooms.size() == query_.limit) {
      more_ = page_.more = true;
      return false;
    }
    page_.rooms.push_back(list_entry(room, std::move(*summary)));
    return true;
  }
  list_page take() { return std::move(page_); }

 private:
  const list_query& query_;
  list_page page_;
  bool more_ = false;
};

// Reads candidates in batches (their summaries in one read each), until the page is full.
std::optional<rooms_error> fill_page(index_view& index, candidates& source, page_builder& page) {
  while (!page.full()) {
    std::vector<std::string> rooms, keys;
    while (rooms.size() < page.wanted()) {
      auto room = source.next();
      if (!room) return room.error();
      if (!*room) break;
      keys.push_back(index_keys::summary_key(**room));
      rooms.push_back(std::move(**room));
    }
    if (rooms.empty()) return std::nullopt;
    auto summaries = index.get_many(keys);
    if (!summaries) return summaries.error();
    for (std::size_t i = 0; i < rooms.size(); ++i) {
      // Postings and summaries are written together: a posting without one cannot be seen.
      if (!(*summaries)[i]) continue;
      auto more = page.offer(rooms[i], *(*summaries)[i]);
      if (!more) return more.error();
      if (!*more) return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<rooms_error> walk_summaries(index_view& index, const std::string& after,
                                          page_builder& page) {
  const std::string start = index_keys::summary_key(after);
  std::optional<rooms_error> failure;
  auto error = index.scan(start, index_keys::summaries_end,
                          [&](std::string_view key, std::string_view bytes) {
                            if (key == start) return true;
                            auto more = page.offer(key.substr(2), bytes);
                            if (!more) {
                              failure = more.error();
                              return false;
                            }
                            return *more;
                          });
  return error ? error : failure;
}

int driver_rank(const list_condition& c) {
  switch (c.kind) {
    case list_condition::prefix:
      return 0;
    case list_condition::range:
      return 1;
    case list_condition::exists:
      return c.present ? 2 : 9;
    default:
      return 9;
  }
}

}  // namespace

namespace index_keys {

std::string summary_key(std::string_view room) {
  std::string key{summaries_begin};
  return key.append(room);
}

std::string deadline_key(std::uint64_t at_ms, std::string_view room) {
  std::string key{deadlines_begin};
  return key.append(store_keys::encode_u64(at_ms)).append(room);
}

std::string posting_prefix(std::string_view key, const value& v) {
  return key_part(key) + value_part(v);
}

}  // namespace index_keys

index_change index_delta(std::string_view room, const room_summary* before,
                         const room_summary* after) {
  index_change change;
  if (before != nullptr && after != nullptr && *before == *after) return change;
  // Most changes (edits) move the version only: the summary is rewritten, no posting moves.
  if (before != nullptr && after != nullptr && before->members == after->members &&
      before->expires_at_ms == after->expires_at_ms && before->meta == after->meta) {
    change.puts.emplace_back(index_keys::summary_key(room), encode_room_summary(*after));
    return change;
  }
  const std::set<std::string> old_keys = keys_of(room, before);
  const std::set<std::string> new_keys = keys_of(room, after);
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                      std::back_inserter(change.removes));
  for (const std::string& key : new_keys)
    if (old_keys.count(key) == 0) change.puts.emplace_back(key, std::string{});
  if (after != nullptr)
    change.puts.emplace_back(index_keys::summary_key(room), encode_room_summary(*after));
  else if (before != nullptr)
    change.removes.push_back(index_keys::summary_key(room));
  return change;
}

value list_entry(std::string_view room, room_summary summary) {
  value_map entry;
  entry.reserve(5);
  // In key order.
  entry.push_back_sorted({value::string("members"), value::unsigned_integer(summary.members)});
  entry.push_back_sorted({value::string("meta"), std::move(summary.meta)});
  entry.push_back_sorted({value::string("owner"), value::string(summary.owner)});
  entry.push_back_sorted({value::string("room"), value::string(room)});
  entry.push_back_sorted({value::string("version"), value::unsigned_integer(summary.version)});
  return value::map(std::move(entry));
}

result<list_page> find_rooms(index_view& index, const list_query& query) {
  page_builder page(query);
  std::vector<std::string> equal_lists;
  const list_condition* driver = nullptr;
  for (const list_condition& c : query.where) {
    if (c.kind == list_condition::eq)
      equal_lists.push_back(key_part(c.key) + value_part(c.equals));
    else if (driver_rank(c) < 9 && (driver == nullptr || driver_rank(c) < driver_rank(*driver)))
      driver = &c;
  }
  std::optional<rooms_error> error;
  if (equal_lists.size() == 1) {
    posting_walk walk(index, equal_lists[0], query.after);
    error = fill_page(index, walk, page);
  } else if (!equal_lists.empty()) {
    common_walk walk(index, equal_lists, query.after);
    error = fill_page(index, walk, page);
  } else if (driver != nullptr) {
    auto walk = sorted_walk::read(index, *driver, query.after);
    error = walk ? fill_page(index, **walk, page) : std::optional<rooms_error>{walk.error()};
  } else {
    error = walk_summaries(index, query.after, page);
  }
  if (error) return *error;
  return page.take();
}

result<std::vector<due_room>> due_rooms(index_view& index, std::uint64_t now_ms, std::size_t max) {
  std::vector<due_room> due;
  const std::string until = index_keys::deadline_key(now_ms + 1, "");
  auto error =
      index.scan(index_keys::deadlines_begin, until, [&](std::string_view key, std::string_view) {
        const auto at = store_keys::decode_u64(key.substr(2, 8));
        if (at && key.size() > 10) due.push_back(due_room{*at, std::string{key.substr(10)}});
        return due.size() < max;
      });
  if (error) return *error;
  return due;
}

// -- memory_index ------------------------------------------------------------------------------

std::optional<rooms_error> index_view::scan(std::string_view from, std::string_view until,
                                            const visit& each) {
  auto at = cursor(until);
  for (at->seek(from); at->valid(); at->next())
    if (!each(at->key(), at->value())) return std::nullopt;
  return at->error();
}

namespace {

bool is_summary_key(std::string_view key) { return key.starts_with(index_keys::summaries_begin); }

}  // namespace

memory_index::shard& memory_index::shard_of(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % shard_count];
}

std::optional<std::string> memory_index::summary(std::string_view key) const {
  shard& s = shard_of(key);
  const std::lock_guard lock(s.mutex);
  auto it = s.summaries.find(std::string{key});
  if (it == s.summaries.end()) return std::nullopt;
  return it->second;
}

class memory_index::locked_view : public index_view {
 public:
  using map = std::map<std::string, std::string, std::less<>>;

  explicit locked_view(const memory_index& index) : lock_(index.mutex_), index_(index) {}

  std::unique_ptr<index_cursor> cursor(std::string_view until) override {
    return std::make_unique<map_cursor>(index_, until);
  }
  result<std::vector<std::optional<std::string>>> get_many(
      const std::vector<std::string>& keys) override {
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const std::string& key : keys) {
      if (is_summary_key(key)) {
        out.push_back(index_.summary(key));
        continue;
      }
      auto it = index_.keys_.find(key);
      out.push_back(it == index_.keys_.end() ? std::nullopt
                                             : std::optional<std::string>{it->second});
    }
    return out;
  }

 private:
  // Over the sorted keys; a summary key's value comes from its shard.
  class map_cursor : public index_cursor {
   public:
    map_cursor(const memory_index& index, std::string_view until)
        : index_(index), until_(until), at_(index.keys_.end()) {}
    void seek(std::string_view key) override { at_ = index_.keys_.lower_bound(key); }
    void next() override { ++at_; }
    bool valid() const override { return at_ != index_.keys_.end() && at_->first < until_; }
    std::string_view key() const override { return at_->first; }
    std::string_view value() const override {
      if (!is_summary_key(at_->first)) return at_->second;
      value_ = index_.summary(at_->first).value_or(std::string{});
      return value_;
    }
    std::optional<rooms_error> error() const override { return std::nullopt; }

   private:
    const memory_index& index_;
    std::string until_;
    map::const_iterator at_;
    mutable std::string value_;
  };

  std::shared_lock<std::shared_mutex> lock_;
  const memory_index& index_;
};

void memory_index::apply(const index_change& change) {
  // Summaries first, in their shards; the sorted keys only when a room comes or goes, or a
  // posting or deadline moves.
  bool sorted = false;
  for (const std::string& key : change.removes) {
    if (!is_summary_key(key)) {
      sorted = true;
      continue;
    }
    shard& s = shard_of(key);
    const std::lock_guard lock(s.mutex);
    sorted = s.summaries.erase(key) > 0 || sorted;
  }
  for (const auto& [key, bytes] : change.puts) {
    if (!is_summary_key(key)) {
      sorted = true;
      continue;
    }
    shard& s = shard_of(key);
    const std::lock_guard lock(s.mutex);
    auto [it, added] = s.summaries.insert_or_assign(key, bytes);
    sorted = added || sorted;
  }
  if (!sorted) return;
  const std::unique_lock lock(mutex_);
  for (const std::string& key : change.removes) keys_.erase(key);
  for (const auto& [key, bytes] : change.puts)
    keys_.insert_or_assign(key, is_summary_key(key) ? std::string{} : bytes);
}

std::unique_ptr<index_view> memory_index::view() const {
  return std::make_unique<locked_view>(*this);
}

std::size_t memory_index::keys() const {
  const std::shared_lock lock(mutex_);
  return keys_.size();
}

}  // namespace rooms
