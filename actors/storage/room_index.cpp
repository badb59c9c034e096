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
  if (summary->expires_at_ms)
    keys.insert(index_keys::deadline_key(*summary->expires_at_ms, room));
  return keys;
}

// The first room id in `prefix`'s postings that is `from` or after it (after it only, when
// `exclusive`), nullopt when none.
result<std::optional<std::string>> next_posting(index_view& index, const std::string& prefix,
                                                std::string_view from, bool exclusive) {
  const std::string start = prefix + std::string{from};
  std::optional<std::string> found;
  auto error = index.scan(start, prefix_end(prefix), [&](std::string_view key, std::string_view) {
    if (exclusive && key == start) return true;
    if (key.size() != prefix.size() + room_id_bytes) return true;  // not a posting of `prefix`
    found = std::string{key.substr(prefix.size())};
    return false;
  });
  if (error) return *error;
  return found;
}

// Reads candidates in ascending order and keeps those whose summary matches, up to limit + 1.
class page_builder {
 public:
  page_builder(index_view& index, const list_query& query) : index_(index), query_(query) {}

  /// Takes `room` if it matches; false once the page (and the one that says more follow) is full.
  result<bool> offer(const std::string& room) {
    auto bytes = index_.get(index_keys::summary_key(room));
    if (!bytes) return bytes.error();
    if (!*bytes) return true;  // a posting always has its summary; a race with nothing else
    return offer(room, **bytes);
  }
  result<bool> offer(std::string_view room, std::string_view summary_bytes) {
    auto summary = decode_room_summary(summary_bytes);
    if (!summary) return summary.error();
    if (!query_.matches(summary->meta, summary->members)) return true;
    if (page_.rooms.size() == query_.limit) {
      page_.more = true;
      return false;
    }
    page_.rooms.push_back(list_entry(room, *summary));
    return true;
  }
  list_page take() { return std::move(page_); }

 private:
  index_view& index_;
  const list_query& query_;
  list_page page_;
};

// Every `eq` condition's postings, walked together: each candidate is the next id that all
// of them hold (each list seeks to the largest id any other has reached).
std::optional<rooms_error> walk_equal(index_view& index, const std::vector<std::string>& lists,
                                      const std::string& after, page_builder& page) {
  std::string cursor = after;
  for (;;) {
    auto first = next_posting(index, lists[0], cursor, true);
    if (!first) return first.error();
    if (!*first) return std::nullopt;
    std::string candidate = std::move(**first);
    bool agreed = false;
    while (!agreed) {
      agreed = true;
      for (const std::string& list : lists) {
        auto at = next_posting(index, list, candidate, false);
        if (!at) return at.error();
        if (!*at) return std::nullopt;
        if (**at != candidate) {
          candidate = std::move(**at);
          agreed = false;
        }
      }
    }
    auto more = page.offer(candidate);
    if (!more) return more.error();
    if (!*more) return std::nullopt;
    cursor = std::move(candidate);
  }
}

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

// The rooms of one non-`eq` condition's postings after `after`, in room-id order.
std::optional<rooms_error> walk_range(index_view& index, const list_condition& c,
                                      const std::string& after, page_builder& page) {
  const auto [from, until] = condition_range(c);
  std::vector<std::string> rooms;
  auto error = index.scan(from, until, [&](std::string_view key, std::string_view) {
    if (key.size() < room_id_bytes) return true;
    std::string_view room = key.substr(key.size() - room_id_bytes);
    if (room > after) rooms.emplace_back(room);
    return true;
  });
  if (error) return error;
  std::sort(rooms.begin(), rooms.end());
  rooms.erase(std::unique(rooms.begin(), rooms.end()), rooms.end());
  for (const std::string& room : rooms) {
    auto more = page.offer(room);
    if (!more) return more.error();
    if (!*more) break;
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

value list_entry(std::string_view room, const room_summary& summary) {
  value_map entry;
  entry.insert_or_assign("members", value::unsigned_integer(summary.members));
  entry.insert_or_assign("meta", summary.meta);
  entry.insert_or_assign("owner", value::string(summary.owner));
  entry.insert_or_assign("room", value::string(room));
  entry.insert_or_assign("version", value::unsigned_integer(summary.version));
  return value::map(std::move(entry));
}

result<list_page> find_rooms(index_view& index, const list_query& query) {
  page_builder page(index, query);
  std::vector<std::string> equal_lists;
  const list_condition* driver = nullptr;
  for (const list_condition& c : query.where) {
    if (c.kind == list_condition::eq)
      equal_lists.push_back(key_part(c.key) + value_part(c.equals));
    else if (driver_rank(c) < 9 && (driver == nullptr || driver_rank(c) < driver_rank(*driver)))
      driver = &c;
  }
  std::optional<rooms_error> error;
  if (!equal_lists.empty())
    error = walk_equal(index, equal_lists, query.after, page);
  else if (driver != nullptr)
    error = walk_range(index, *driver, query.after, page);
  else
    error = walk_summaries(index, query.after, page);
  if (error) return *error;
  return page.take();
}

result<std::vector<due_room>> due_rooms(index_view& index, std::uint64_t now_ms, std::size_t max) {
  std::vector<due_room> due;
  const std::string until = index_keys::deadline_key(now_ms + 1, "");
  auto error = index.scan(index_keys::deadlines_begin, until,
                          [&](std::string_view key, std::string_view) {
                            const auto at = store_keys::decode_u64(key.substr(2, 8));
                            if (at && key.size() > 10)
                              due.push_back(due_room{*at, std::string{key.substr(10)}});
                            return due.size() < max;
                          });
  if (error) return *error;
  return due;
}

// -- memory_index ------------------------------------------------------------------------------

class memory_index::locked_view : public index_view {
 public:
  explicit locked_view(const memory_index& index) : lock_(index.mutex_), keys_(index.keys_) {}

  std::optional<rooms_error> scan(std::string_view from, std::string_view until,
                                  const visit& each) override {
    for (auto it = keys_.lower_bound(from); it != keys_.end() && it->first < until; ++it)
      if (!each(it->first, it->second)) break;
    return std::nullopt;
  }
  result<std::optional<std::string>> get(std::string_view key) override {
    auto it = keys_.find(key);
    if (it == keys_.end()) return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
  }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  const std::map<std::string, std::string, std::less<>>& keys_;
};

void memory_index::apply(const index_change& change) {
  const std::unique_lock lock(mutex_);
  for (const std::string& key : change.removes) keys_.erase(key);
  for (const auto& [key, bytes] : change.puts) keys_.insert_or_assign(key, bytes);
}

std::unique_ptr<index_view> memory_index::view() const {
  return std::make_unique<locked_view>(*this);
}

std::size_t memory_index::keys() const {
  const std::shared_lock lock(mutex_);
  return keys_.size();
}

}  // namespace rooms
