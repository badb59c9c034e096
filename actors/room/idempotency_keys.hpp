// The idempotency keys a room remembers (docs/protocol.md): for each of the last N keys it
// applied, a fingerprint of the edit's ops and the version the edit produced. A key belongs to
// its room and its user: two users who choose the same key never replay each other's edits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/room/compact_queue.hpp"
#include "actors/storage/room_image.hpp"
#include "protocol/value.hpp"

namespace rooms {

class idempotency_keys {
 public:
  struct entry {
    std::uint64_t fingerprint;
    std::uint64_t version;
  };

  explicit idempotency_keys(std::size_t capacity) : capacity_(capacity) {}

  /// A fingerprint of `ops` that ignores map order (objects are sorted) and keeps types
  /// (1 and 1.0 differ), so "identical ops" means structurally equal.
  static std::uint64_t fingerprint(const value& ops);

  std::optional<entry> find(std::string_view user, std::string_view key) const;

  /// Remembers `user`'s `key`, forgetting the oldest key past the capacity.
  void remember(std::string_view user, std::string_view key, entry e);

  std::size_t size() const { return remembered_ ? remembered_->by_key.size() : 0; }

  /// Every remembered key, oldest first (what storage keeps).
  std::vector<stored_key> export_keys() const;

 private:
  /// The user's length, ':', the user, then the key: one string that no other pair spells.
  static std::string scoped(std::string_view user, std::string_view key);

  struct remembered {
    compact_queue<std::string> order;
    std::unordered_map<std::string, entry> by_key;
  };

  std::size_t capacity_;
  /// Allocated by the first remember: most rooms never see a keyed edit, and a node holds a
  /// million rooms (docs/benchmarks.md, memory per idle room).
  std::unique_ptr<remembered> remembered_;
};

}  // namespace rooms
