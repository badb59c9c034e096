// Merging the pages of one `list` call (list_merge.hpp).
#include "actors/directory/list_merge.hpp"

#include <algorithm>

#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

std::string_view room_of_entry(const value& entry) {
  return entry.as_map().find("room")->as_string();
}

}  // namespace

void list_merge::add(list_page page) {
  if (waiting_ > 0) --waiting_;
  more_ = more_ || page.more;
  for (auto& entry : page.rooms) rooms_.push_back(std::move(entry));
}

void list_merge::unavailable(std::string node) {
  if (waiting_ > 0) --waiting_;
  unavailable_.push_back(std::move(node));
}

void list_merge::failed(rooms_error error) {
  if (waiting_ > 0) --waiting_;
  error_ = std::move(error);
}

result<value> list_merge::answer() {
  if (error_) return *error_;
  // Each node's page holds its first `limit` matches: the first `limit` of all of them are
  // the cluster's. More may follow when any node had more, or the pages hold more than that.
  std::sort(rooms_.begin(), rooms_.end(),
            [](const value& a, const value& b) { return room_of_entry(a) < room_of_entry(b); });
  const bool more = more_ || rooms_.size() > limit_;
  if (rooms_.size() > limit_) rooms_.resize(limit_);
  value_map out;
  out.insert_or_assign(
      "next", more && !rooms_.empty() ? value::string(room_of_entry(rooms_.back())) : value{});
  out.insert_or_assign("rooms", value::array(std::move(rooms_)));
  if (!unavailable_.empty()) {
    std::sort(unavailable_.begin(), unavailable_.end());
    value_array nodes;
    for (auto& node : unavailable_) nodes.push_back(value::string(node));
    out.insert_or_assign("unavailable", value::array(std::move(nodes)));
  }
  return value::map(std::move(out));
}

std::string encode_list_page(const list_page& page) {
  value_map m;
  m.insert_or_assign("more", value::boolean(page.more));
  m.insert_or_assign("rooms", value::array(page.rooms));
  return to_msgpack_bytes(value::map(std::move(m)));
}

result<list_page> decode_list_page(std::string_view bytes) {
  const rooms_error malformed{error_code::internal, "a peer's list page is malformed"};
  auto decoded = value_from_msgpack_bytes(bytes, 16);
  if (!decoded || !decoded->is_map()) return malformed;
  const value* more = decoded->as_map().find("more");
  const value* rooms = decoded->as_map().find("rooms");
  if (more == nullptr || !more->is_bool() || rooms == nullptr || !rooms->is_array())
    return malformed;
  list_page page;
  page.more = more->as_bool();
  for (const value& entry : rooms->as_array()) {
    const value_map* m = entry.if_map();
    const value* room = m != nullptr ? m->find("room") : nullptr;
    if (room == nullptr || !room->is_string()) return malformed;
    page.rooms.push_back(entry);
  }
  return page;
}

}  // namespace rooms
