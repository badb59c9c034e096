// compact_queue: the FIFO a room keeps (retained events, idempotency keys, its outbox). Unlike
// std::deque, which allocates a 512-byte block and its map even while empty, it allocates
// nothing until the first push: most rooms are idle, and a node holds a million of them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rooms {

/// A vector with a moving head: pop_front is O(1), and the popped prefix is erased once it is
/// at least half of the vector, so push_back and pop_front stay amortized O(1) and the memory
/// is at most twice the live elements. Iterators and references are invalidated by push_back
/// and pop_front (unlike std::deque); callers here only hold them within one call.
template <class T>
class compact_queue {
 public:
  using const_iterator = typename std::vector<T>::const_iterator;
  using iterator = typename std::vector<T>::iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }

  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  const T& back() const { return items_.back(); }
  const T& operator[](std::size_t i) const { return items_[head_ + i]; }

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

  void push_back(T item) { items_.push_back(std::move(item)); }

  void pop_front() {
    items_[head_++] = T{};         // release what the element owns now, not at the next compaction
    if (head_ == items_.size()) {  // keeps the capacity: a busy queue empties often
      items_.clear();
      head_ = 0;
      return;
    }
    if (head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  /// Empties the queue and gives its memory back.
  void clear() {
    std::vector<T>{}.swap(items_);
    head_ = 0;
  }

  friend bool operator==(const compact_queue& a, const compact_queue& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace rooms
