// Indexing the rooms of a store made before the room index (index_upgrade.hpp).
#include "actors/index_upgrade.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "actors/room/room_state.hpp"

namespace rooms {

result<std::size_t> index_stored_rooms(room_store& store, std::shared_ptr<const limits> lims) {
  auto complete = store.index_complete();
  if (!complete) return complete.error();
  if (*complete) return std::size_t{0};
  constexpr std::size_t page = 1000;
  std::size_t indexed = 0;
  std::string after;
  for (;;) {
    auto rooms = store.list_rooms(after, page);
    if (!rooms) return rooms.error();
    if (rooms->empty()) break;
    std::vector<room_write> batch;
    for (const std::string& id : *rooms) {
      auto loaded = store.load(id);
      if (!loaded) return loaded.error();
      if (!*loaded || (*loaded)->summary) continue;
      auto room =
          room_state::restore(std::move((*loaded)->image), std::move((*loaded)->events), lims);
      if (!room)
        return rooms_error{error_code::internal,
                           fmt::format("room {} cannot be indexed: {}", id, room.error().message)};
      const room_summary summary = room->summary();
      room_write w;
      w.room = id;
      w.index = index_delta(id, nullptr, &summary);
      batch.push_back(std::move(w));
    }
    if (auto error = store.write(batch, true)) return *error;
    indexed += batch.size();
    after = rooms->back();
  }
  if (auto error = store.mark_index_complete()) return *error;
  return indexed;
}

}  // namespace rooms
