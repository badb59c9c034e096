// One edit's in-place changes to a room's data, with the undo log that makes the edit atomic and
// the exact tracking of the data's MessagePack size (docs/protocol.md; sizes come from
// protocol/value_msgpack.hpp). The edit engine builds every op from these primitives.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "actors/room/edit_engine.hpp"
#include "actors/room/edit_path.hpp"

namespace rooms {

/// A value about to be placed, with its packed size (computed once, so a move reuses it).
struct sized_value {
  rooms::value value;
  std::size_t bytes = 0;
};

/// `v` with its packed size.
sized_value make_sized(value v);

/// Each primitive changes `doc.data` in place, adjusts `doc.packed_bytes` by exactly the change of
/// the encoding, and logs how to undo itself. A value that is overwritten or erased is moved into
/// the log (O(1)), never copied; the log names locations by path, not by pointer, because inserting
/// into an array moves its elements. rollback() undoes everything in reverse order; otherwise the
/// changes stay when the transaction is destroyed.
///
/// Preconditions, for every primitive: `container` is the map or array at `container_path` in the
/// current data, and a token naming an array element is a canonical index (parse_array_index).
///
/// With a `patch` (edit_patch), every primitive also appends, encoded, the RFC 6902 operation
/// that does the same to a copy of the data (docs/protocol.md, `subscribe` with `patch: true`):
/// insert is `add`, replace is `replace`, erase and detach are `remove`, each at a concrete path
/// (an array index, never "-") with the value as placed. Applied in order they turn the data
/// before the edit into the data after it, and they cost what the edit touched: the patch is
/// made from the changes, not by comparing documents.
class edit_transaction {
 public:
  explicit edit_transaction(document& doc, edit_patch* patch = nullptr);

  value& root() { return doc_.data; }
  std::size_t packed_bytes() const { return doc_.packed_bytes; }

  /// Adds `v` as member `token` (absent) of a map, or as the element before index `token`
  /// (at most the size) of an array. Returns the placed value.
  value& insert(value& container, path_view container_path, const std::string& token,
                sized_value v);

  /// Overwrites `target`, the value at `target_path` (the root when empty), with `v`.
  value& replace(value& target, path_view target_path, sized_value v);

  /// Removes the existing member or element `token` of `container`.
  void erase(value& container, path_view container_path, const std::string& token);

  /// Removes the existing member or element `token` of `container` and hands it to the caller
  /// (the first half of a move). On rollback it is put back with the value that undoing the later
  /// entries took out of the data: the place the move put it. A move that fails before placing
  /// it must hand it back with return_detached() before rollback().
  sized_value detach(value& container, path_view container_path, const std::string& token);

  /// Gives back the value of the last detach() when it could not be placed.
  void return_detached(value v);

  /// Restores the data and packed_bytes as they were when the transaction began.
  void rollback();

 private:
  enum class change { inserted, replaced, erased, detached };

  struct entry {
    change what;
    edit_path location;   // of the changed member or element; empty = the root
    value old_value;      // replaced, or an erased array element
    value_member member;  // an erased or detached map member, key kept
  };

  entry make_entry(change what, path_view container_path, const std::string& token) const;
  /// Appends the patch operation of a change, encoded (no copy of `v` is made), before the
  /// data changes: `v` may be moved into the data afterwards. Nothing without a patch.
  void note_patch(std::string_view op, const edit_path& location, const value* v);
  void reserve_entry();
  void undo(entry& e);
  sized_value take_child(value& container, const std::string& token, entry& e);
  void put_back(value& container, entry& e, value v);

  document& doc_;
  std::size_t packed_bytes_before_;
  std::vector<entry> log_;
  value carry_;  // the value the last undo step took out of the data
  edit_patch* patch_;
  std::size_t patch_bytes_before_;
  std::size_t patch_count_before_;
};

}  // namespace rooms
