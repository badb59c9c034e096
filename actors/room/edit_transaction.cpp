// In-place primitives with an undo log and exact size tracking (see edit_transaction.hpp;
// docs/protocol.md).
#include "actors/room/edit_transaction.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "protocol/msgpack_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

std::size_t key_bytes(const std::string& key) {
  return packed_str_header_size(key.size()) + key.size();
}

// How much a container's header grows when it goes from `count` to `count + 1` children.
std::size_t header_growth(std::size_t count) {
  return packed_container_header_size(count + 1) - packed_container_header_size(count);
}

std::size_t index_of(const std::string& token) {
  const auto index = parse_array_index(token);
  assert(index.has_value());
  return *index;
}

}  // namespace

sized_value make_sized(value v) {
  const std::size_t bytes = packed_size(v);
  return {std::move(v), bytes};
}

edit_transaction::edit_transaction(document& doc, edit_patch* patch)
    : doc_(doc),
      packed_bytes_before_(doc.packed_bytes),
      patch_(patch),
      patch_bytes_before_(patch != nullptr ? patch->ops.size() : 0),
      patch_count_before_(patch != nullptr ? patch->count : 0) {}

value& edit_transaction::insert(value& container, path_view container_path,
                                const std::string& token, sized_value v) {
  // The entry and the log's room are allocated first: once the data has changed, recording it
  // cannot fail, so the log always describes the data exactly.
  entry e = make_entry(change::inserted, container_path, token);
  reserve_entry();
  note_patch("add", e.location, &v.value);
  doc_.packed_bytes += v.bytes + header_growth(container.size());
  value* placed = nullptr;
  if (auto* members = container.if_map()) {
    doc_.packed_bytes += key_bytes(token);
    placed = &members->insert({value::string(token), std::move(v.value)});
  } else {
    auto& elements = container.as_array();
    const auto at = elements.begin() + static_cast<std::ptrdiff_t>(index_of(token));
    placed = &*elements.insert(at, std::move(v.value));
  }
  log_.push_back(std::move(e));
  return *placed;
}

value& edit_transaction::replace(value& target, path_view target_path, sized_value v) {
  entry e{change::replaced, edit_path(target_path.begin(), target_path.end()), {}, {}};
  reserve_entry();
  note_patch("replace", e.location, &v.value);
  doc_.packed_bytes += v.bytes;
  doc_.packed_bytes -= packed_size(target);
  e.old_value = std::exchange(target, std::move(v.value));
  log_.push_back(std::move(e));
  return target;
}

void edit_transaction::erase(value& container, path_view container_path, const std::string& token) {
  entry e = make_entry(change::erased, container_path, token);
  reserve_entry();
  note_patch("remove", e.location, nullptr);
  sized_value taken = take_child(container, token, e);
  if (container.is_map()) {
    e.member.val = std::move(taken.value);
  } else {
    e.old_value = std::move(taken.value);
  }
  log_.push_back(std::move(e));
}

sized_value edit_transaction::detach(value& container, path_view container_path,
                                     const std::string& token) {
  entry e = make_entry(change::detached, container_path, token);
  reserve_entry();
  note_patch("remove", e.location, nullptr);
  sized_value taken = take_child(container, token, e);
  log_.push_back(std::move(e));
  return taken;
}

void edit_transaction::note_patch(std::string_view op, const edit_path& location, const value* v) {
  if (patch_ == nullptr) return;
  std::string& out = patch_->ops;
  // A map of 2 or 3 members, in key order.
  out.push_back(static_cast<char>(v != nullptr ? 0x83 : 0x82));
  append_msgpack_string(out, "op");
  append_msgpack_string(out, op);
  append_msgpack_string(out, "path");
  append_msgpack_string(out, pointer_text(location));
  if (v != nullptr) {
    append_msgpack_string(out, "value");
    append_msgpack(out, *v);
  }
  ++patch_->count;
}

// Room for one more entry, made before the data changes (see insert()). Growth is geometric:
// reserve(size + 1) would reallocate on every entry. The first allocation stays small: most
// edits change one value, and glibc serves a request of 1 KiB or more from its large bins,
// after merging every freed small chunk (malloc_consolidate), which cost a sixth of the node's
// CPU when it was 16 entries.
void edit_transaction::reserve_entry() {
  if (log_.size() == log_.capacity()) log_.reserve(std::max<std::size_t>(4, 2 * log_.capacity()));
}

void edit_transaction::return_detached(value v) { carry_ = std::move(v); }

void edit_transaction::rollback() {
  for (auto it = log_.rbegin(); it != log_.rend(); ++it) undo(*it);
  log_.clear();
  carry_ = value{};
  doc_.packed_bytes = packed_bytes_before_;
  if (patch_ != nullptr) {
    patch_->ops.resize(patch_bytes_before_);
    patch_->count = patch_count_before_;
  }
}

edit_transaction::entry edit_transaction::make_entry(change what, path_view container_path,
                                                     const std::string& token) const {
  edit_path location(container_path.begin(), container_path.end());
  location.push_back(token);
  return entry{what, std::move(location), {}, {}};
}

// Removes the member or element `token` from the data and returns it with its packed size; a
// map member's key is kept in `e` so that putting it back needs no allocation.
sized_value edit_transaction::take_child(value& container, const std::string& token, entry& e) {
  doc_.packed_bytes -= header_growth(container.size() - 1);
  sized_value taken;
  if (auto* members = container.if_map()) {
    e.member = members->extract(token);
    taken.value = std::move(e.member.val);
    doc_.packed_bytes -= key_bytes(token);
  } else {
    auto& elements = container.as_array();
    const auto at = elements.begin() + static_cast<std::ptrdiff_t>(index_of(token));
    taken.value = std::move(*at);
    elements.erase(at);
  }
  taken.bytes = packed_size(taken.value);
  doc_.packed_bytes -= taken.bytes;
  return taken;
}

void edit_transaction::undo(entry& e) {
  if (e.location.empty()) {
    carry_ = std::exchange(doc_.data, std::move(e.old_value));
    return;
  }
  const path_view location(e.location);
  value* container = find_value(doc_.data, location.first(location.size() - 1));
  assert(container != nullptr);
  const std::string& token = e.location.back();
  switch (e.what) {
    case change::inserted: {
      entry removed{change::erased, {}, {}, {}};
      carry_ = std::move(take_child(*container, token, removed).value);
      return;
    }
    case change::replaced:
      carry_ = std::exchange(*find_child(*container, token), std::move(e.old_value));
      return;
    case change::detached:
      put_back(*container, e, std::move(carry_));
      return;
    case change::erased:
      put_back(*container, e,
               container->is_map() ? std::move(e.member.val) : std::move(e.old_value));
      return;
  }
}

// Inserts `v` back where entry `e` took it from; a map member reuses its kept key.
void edit_transaction::put_back(value& container, entry& e, value v) {
  if (auto* members = container.if_map()) {
    e.member.val = std::move(v);
    members->insert(std::move(e.member));
    return;
  }
  auto& elements = container.as_array();
  const auto at = elements.begin() + static_cast<std::ptrdiff_t>(index_of(e.location.back()));
  elements.insert(at, std::move(v));
}

}  // namespace rooms
