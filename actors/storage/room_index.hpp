// The room index (docs/operations.md, "The room index"): what `list` and expiry find rooms by,
// as sorted keys. One layout serves both homes of the index: the RocksDB store of a durable
// node, where a room's index keys are written in the same batch as the change they follow (so
// after a crash the index never disagrees with the rooms), and memory_index for durability
// `none`. Plain C++, no CAF.
//
// Keys (room ids are the canonical 36-character form, which sorts like the UUID's bytes):
//   "s/<room>"                         the room's summary (room_codec.hpp), its list entry
//   "i/<len><key><value><room>"        a posting: meta `key` (len: one byte, 1..64) has `value`;
//                                      len 0 (no key) is the member count ("$members")
//   "t/<at_ms><room>"                  a deadline: the room expires at at_ms (8 bytes BE)
// Values in postings sort as their kind's order: "b" + '0'/'1' for booleans, "n" + 8 bytes for
// numbers (a double, ordered: integers beyond 2^53 share a key with their neighbours, and the
// summary decides), "N" for NaN, "s" + the string's bytes (0x00 escaped as 0x00 0xff) + 0x00
// 0x01. So each (key, value) holds its rooms in room-id order: an `eq` lists its matches in the
// order pages need, without sorting.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/storage/room_image.hpp"
#include "protocol/list_query.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// Keys to remove and keys to set, applied in that order.
struct index_change {
  std::vector<std::string> removes;
  std::vector<std::pair<std::string, std::string>> puts;

  bool empty() const { return removes.empty() && puts.empty(); }
};

/// What the index must change when room `room` goes from `before` to `after` (null: the room
/// is not there, before its creation or after its deletion).
index_change index_delta(std::string_view room, const room_summary* before,
                         const room_summary* after);

/// A position in a view of the index, moving forward below a bound.
class index_cursor {
 public:
  virtual ~index_cursor() = default;
  /// Moves to the first key at or after `key`.
  virtual void seek(std::string_view key) = 0;
  virtual void next() = 0;
  virtual bool valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  /// Why the cursor stopped, if a read failed.
  virtual std::optional<rooms_error> error() const = 0;
};

/// A consistent read of the index (one snapshot for all its calls).
class index_view {
 public:
  using visit = std::function<bool(std::string_view key, std::string_view value)>;
  virtual ~index_view() = default;
  /// A cursor over the keys below `until` (unpositioned: seek first).
  virtual std::unique_ptr<index_cursor> cursor(std::string_view until) = 0;
  /// The values of `keys` (nullopt for an absent one), read together.
  virtual result<std::vector<std::optional<std::string>>> get_many(
      const std::vector<std::string>& keys) = 0;

  /// Calls `each` on the keys from `from` (inclusive) to `until` (exclusive), ascending, until
  /// it returns false.
  std::optional<rooms_error> scan(std::string_view from, std::string_view until, const visit& each);
};

/// The index of a node without storage: the same keys in memory. Thread-safe: rooms apply their
/// changes, the directory reads. Summaries change with every change of a room (the version), so
/// they live in hashed shards, each with its own lock; the sorted keys (postings, deadlines, and
/// each room's "s/" key with an empty value, for order) change only when a room's metadata,
/// member count or deadline does, or it comes or goes, under one lock. An edit takes one shard's
/// lock, never the sorted keys'.
class memory_index {
 public:
  void apply(const index_change& change);
  /// A view that holds the sorted keys' read lock while it lives: keep it short.
  std::unique_ptr<index_view> view() const;
  /// Sorted keys held (a room's summary counts once).
  std::size_t keys() const;

 private:
  class locked_view;
  struct shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::string> summaries;
  };
  static constexpr std::size_t shard_count = 16;
  shard& shard_of(std::string_view key) const;
  /// The summary under `key`, if any.
  std::optional<std::string> summary(std::string_view key) const;

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::string, std::less<>> keys_;
  mutable std::array<shard, shard_count> shards_;
};

/// One page of `list` from one node: entries {"room", "owner", "version", "members", "meta"}
/// in room-id order; `more` when rooms after the last may match.
struct list_page {
  std::vector<value> rooms;
  bool more = false;
};

/// The rooms matching `query` after query.after, at most query.limit. It reads what it returns
/// (plus the one entry that tells whether more follow), never every room: conditions with `eq`
/// walk their postings together in room-id order; otherwise a `prefix`, number range or
/// `exists: true` reads its postings (so it costs the rooms matching that one condition); only
/// a query without any of those reads summaries in room-id order.
result<list_page> find_rooms(index_view& index, const list_query& query);

struct due_room {
  std::uint64_t at_ms;
  std::string room;
};

/// Rooms whose deadline is at or before `now_ms`, earliest first, at most `max`.
result<std::vector<due_room>> due_rooms(index_view& index, std::uint64_t now_ms, std::size_t max);

/// The list entry of a room from its summary.
value list_entry(std::string_view room, room_summary summary);

namespace index_keys {
inline constexpr std::string_view summaries_begin = "s/";
inline constexpr std::string_view summaries_end = "s0";
inline constexpr std::string_view deadlines_begin = "t/";
inline constexpr std::string_view deadlines_end = "t0";
std::string summary_key(std::string_view room);
std::string deadline_key(std::uint64_t at_ms, std::string_view room);
/// The postings of `key` having `v` (a meta value), without the room id.
std::string posting_prefix(std::string_view key, const value& v);
}  // namespace index_keys

}  // namespace rooms
