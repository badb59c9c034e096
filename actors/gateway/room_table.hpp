// room_table: a flat map from room keys (room_key.hpp) to values, for the lookups a gateway does
// per call and per event: an open-addressed table with linear probing, one cache line per
// lookup instead of a hash map's bucket and node (docs/benchmarks.md, step 6). Shrinks again
// when most of it is empty, so a connection that once touched many rooms does not keep them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "actors/directory/room_key.hpp"

namespace rooms {

template <class Value>
class room_table {
 public:
  /// Keys this table can hold: every id this node gives its rooms (a UUID v4, whose version
  /// digit is in the high half); any other id names no room of ours.
  static bool holds(const room_key& key) { return key.high != 0; }

  std::size_t size() const { return size_; }

  /// The key's value, or nullptr. The pointer lasts until the next insert or erase.
  Value* find(const room_key& key) {
    return const_cast<Value*>(static_cast<const room_table*>(this)->find(key));
  }
  const Value* find(const room_key& key) const {
    if (size_ == 0) return nullptr;
    const slot& s = slots_[probe(key)];
    return s.used() ? &s.value : nullptr;
  }

  /// The key's value, value-initialized if there was none; holds(key) must be true.
  Value& insert(const room_key& key) {
    // At most half full: probes stay short.
    if (slots_.empty() || 2 * (size_ + 1) > slots_.size())
      resize(slots_.empty() ? min_capacity : 2 * slots_.size());
    slot& s = slots_[probe(key)];
    if (!s.used()) {
      s.key = key;
      s.value = Value{};
      ++size_;
    }
    return s.value;
  }

  void erase(const room_key& key) {
    if (size_ == 0) return;
    const std::size_t mask = slots_.size() - 1;
    std::size_t hole = probe(key);
    if (!slots_[hole].used()) return;
    slots_[hole] = slot{};
    --size_;
    // Backward shift: move up every later key of the run that may live in the hole, so that no
    // lookup stops early at it.
    for (std::size_t next = (hole + 1) & mask; slots_[next].used(); next = (next + 1) & mask) {
      const std::size_t home = index_of(slots_[next].key);
      const bool stays =
          hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (stays) continue;
      slots_[hole] = std::move(slots_[next]);
      slots_[next] = slot{};
      hole = next;
    }
    if (slots_.size() > min_capacity && 8 * size_ < slots_.size())
      resize(std::max(min_capacity, slots_.size() / 4));
  }

  /// Calls f(value) for every value, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& s : slots_)
      if (s.used()) f(s.value);
  }

 private:
  static constexpr std::size_t min_capacity = 16;

  struct slot {
    /// A room key's high half is never 0 (a UUID v4 has its version there): 0 marks a free slot.
    room_key key;
    Value value;
    bool used() const { return key.high != 0; }
  };

  std::size_t index_of(const room_key& key) const {
    return room_key_hash{}(key) & (slots_.size() - 1);
  }

  /// The slot holding `key`, or the free slot where it would go.
  std::size_t probe(const room_key& key) const {
    std::size_t i = index_of(key);
    while (slots_[i].used() && !(slots_[i].key == key)) i = (i + 1) & (slots_.size() - 1);
    return i;
  }

  void resize(std::size_t capacity) {
    std::vector<slot> old(capacity);
    old.swap(slots_);
    for (auto& s : old) {
      if (!s.used()) continue;
      slots_[probe(s.key)] = std::move(s);
    }
  }

  std::vector<slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace rooms
