// Reads of the store asked by actors, answered by message (store_reads.hpp).
#include "actors/store_reads.hpp"

#include <memory>
#include <utility>

#include <caf/send.hpp>

#include "actors/messages.hpp"

namespace rooms {

void load_for(store_reader& reader, const caf::actor& asker, std::string room,
              std::uint64_t ticket) {
  std::string id = room;
  reader.load(std::move(room), [asker, id = std::move(id),
                                ticket](result<std::optional<stored_room>> read) {
    caf::anon_send(
        asker, loaded_atom::value,
        load_outcome{id, ticket,
                     std::make_shared<result<std::optional<stored_room>>>(std::move(read))});
  });
}

void check_for(store_reader& reader, const caf::actor& asker, std::string room,
               std::uint64_t ticket) {
  reader.exists(std::move(room), [asker, ticket](result<bool> found) {
    caf::anon_send(asker, loaded_atom::value,
                   exists_outcome{ticket, std::make_shared<const result<bool>>(std::move(found))});
  });
}

}  // namespace rooms
