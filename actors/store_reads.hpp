// Reads of the store asked by actors: the reader's answer comes back to the asking actor as a
// message (messages.hpp, loaded_atom), so no actor waits for the disk (store_reader.hpp).
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>

#include "actors/storage/store_reader.hpp"

namespace rooms {

/// Has `reader` load `room`; `asker` gets (loaded_atom, load_outcome{room, ticket, ...}).
void load_for(store_reader& reader, const caf::actor& asker, std::string room,
              std::uint64_t ticket);

/// Has `reader` check whether `room` is stored; `asker` gets (loaded_atom, exists_outcome).
void check_for(store_reader& reader, const caf::actor& asker, std::string room,
               std::uint64_t ticket);

}  // namespace rooms
