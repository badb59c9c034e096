// The one-time pass that gives rooms stored before the room index (issue 15) their index keys,
// so `list` finds them and their expiry (none: such rooms had no policy) is indexed. A node runs
// it before it serves, once per store: the store is then marked complete.
#pragma once

#include <cstddef>
#include <memory>

#include "actors/storage/room_store.hpp"
#include "protocol/limits.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// Loads each stored room without a summary, restores it, and writes its index keys (in
/// batches, fsynced), then marks the store complete. Returns how many rooms it indexed (0 for a
/// complete store, without reading any room). A room that cannot be restored is an error: the
/// node does not serve a store it cannot index.
result<std::size_t> index_stored_rooms(room_store& store, std::shared_ptr<const limits> lims);

}  // namespace rooms
