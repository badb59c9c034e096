// room_journal: which of a room's changes are stored, in flight, or waiting (issue 4). Plain
// C++; room_actor asks it for the next write and tells it how writes ended.
//
// At most one write per room is in flight. Changes made meanwhile wait and go out together as
// the next write, so a hot room stores many changes per fsync, and a failed write is never
// followed by a later write of the same room (storage never gets a gap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/storage/room_image.hpp"
#include "actors/storage/room_index.hpp"
#include "actors/storage/room_store.hpp"

namespace rooms {

/// When a room's stored events are folded into a new image: after `every_events` events or
/// `every_bytes` bytes of them, and never before the events since the last image add up to
/// half the room's data. More often means faster restarts and smaller storage; less often
/// means less copying: a fold copies the whole room, so a big room with small edits would
/// otherwise rewrite megabytes every thousand edits (and the edits that wait for that write
/// see it in their latency), while this way folding costs at most about twice the bytes of
/// the events themselves, however big the room.
struct fold_policy {
  std::size_t every_events = 1000;
  std::size_t every_bytes = 4 << 20;
};

class room_journal {
 public:
  /// A journal whose room is stored up to `durable_version`, with its last image at
  /// `image_version` and `summary` in the index (nullopt: none yet).
  room_journal(std::string room, fold_policy policy, std::uint64_t durable_version,
               std::uint64_t image_version, std::optional<room_summary> summary = std::nullopt);

  /// The room was just created: its first write stores `image`.
  void created(room_image image);

  /// A change to store; `bytes` is its encoded size (for the fold policy).
  void record(event_record change, std::size_t bytes);

  /// The room was deleted at `version`: the next write erases it.
  void erased(std::uint64_t version);

  /// The next write to submit, if nothing is in flight and something waits. `image_now` makes
  /// the room's image at its current version, when a fold is due; `first_replayable` is the
  /// oldest version the room still retains (older stored events are trimmed with a fold);
  /// `data_bytes` is the encoded size of the room's data now; `summary` is the room's summary
  /// now (nullopt once deleted): the write carries the index keys that changed since the last
  /// write, so the index moves in the same batch as the room. A summary that changed alone
  /// (a clock) makes a write of its own.
  template <class ImageFn>
  std::optional<room_write> next_write(ImageFn&& image_now, std::uint64_t first_replayable,
                                       std::size_t data_bytes,
                                       const std::optional<room_summary>& summary) {
    if (in_flight_ || (!has_waiting() && summary == indexed_)) return std::nullopt;
    const bool fold = fold_due(data_bytes);
    room_write w = take_waiting();
    if (!w.erase && !w.image && fold) {
      w.image = image_now();
      w.trim_events_through = std::min(first_replayable - 1, w.image->version);
    }
    w.index = index_delta(room_, indexed_ ? &*indexed_ : nullptr, summary ? &*summary : nullptr);
    indexed_ = summary;
    start(w);
    return w;
  }

  /// The write in flight is stored: its versions are durable.
  void written();

  /// The write in flight failed. Every waiting change is dropped too: the room must reload
  /// what is stored.
  void failed();

  bool in_flight() const { return in_flight_; }
  /// Nothing in flight and nothing waiting.
  bool settled() const { return !in_flight_ && !has_waiting(); }
  std::uint64_t durable_version() const { return durable_version_; }

 private:
  bool has_waiting() const { return pending_image_ || pending_erase_ || !pending_.empty(); }
  bool fold_due(std::size_t data_bytes) const;
  room_write take_waiting();
  void start(const room_write& w);

  std::string room_;
  fold_policy policy_;
  std::uint64_t durable_version_;
  std::uint64_t image_version_;
  std::size_t bytes_since_image_ = 0;
  std::vector<event_record> pending_;
  std::size_t pending_bytes_ = 0;
  std::optional<room_image> pending_image_;
  std::optional<std::uint64_t> pending_erase_;
  /// The summary the index holds once the writes submitted so far are stored.
  std::optional<room_summary> indexed_;
  bool in_flight_ = false;
  std::uint64_t in_flight_version_ = 0;
  std::optional<std::uint64_t> in_flight_image_;
  std::size_t in_flight_bytes_ = 0;
};

}  // namespace rooms
