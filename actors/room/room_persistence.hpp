// How room actors keep rooms durable (issue 4): the node's store and group writer, the fold
// policy and the hibernation timeout. A node in durability `none` has no persistence at all:
// rooms then live in memory only and never hibernate.
#pragma once

#include <chrono>
#include <memory>

#include "actors/room/room_journal.hpp"
#include "actors/storage/group_writer.hpp"
#include "actors/storage/room_store.hpp"
#include "actors/storage/store_reader.hpp"

namespace rooms {

struct room_persistence {
  std::shared_ptr<room_store> store;
  std::shared_ptr<group_writer> writer;
  /// Every read of the store (activation, the creation's id check, a reload after a failed
  /// write) goes through it: no actor waits for the disk on a worker.
  std::shared_ptr<store_reader> reader;
  fold_policy folding;
  /// A room with no subscribers, no calls and nothing to store for this long stops its actor
  /// and lives on in storage only; the next call activates it again.
  std::chrono::milliseconds idle_timeout{60000};
};

}  // namespace rooms
