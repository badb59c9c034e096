// result<T>: a value or a rooms_error. Errors are values across the project (no exceptions
// cross a component boundary).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "protocol/rooms_error.hpp"

namespace rooms {

template <class T>
class result {
 public:
  result(T value) : state_(std::move(value)) {}
  result(rooms_error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const {
    assert(ok());
    return std::get<0>(state_);
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const rooms_error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, rooms_error> state_;
};

}  // namespace rooms
