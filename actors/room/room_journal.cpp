// The bookkeeping of a room's writes: waiting changes, the one write in flight, folds.
#include "actors/room/room_journal.hpp"

#include <algorithm>

namespace rooms {

room_journal::room_journal(std::string room, fold_policy policy, std::uint64_t durable_version,
                           std::uint64_t image_version, std::optional<room_summary> summary)
    : room_(std::move(room)),
      policy_(policy),
      durable_version_(durable_version),
      image_version_(image_version),
      indexed_(std::move(summary)) {}

void room_journal::created(room_image image) { pending_image_ = std::move(image); }

void room_journal::record(event_record change, std::size_t bytes) {
  pending_.push_back(std::move(change));
  pending_bytes_ += bytes;
}

void room_journal::erased(std::uint64_t version) { pending_erase_ = version; }

bool room_journal::fold_due(std::size_t data_bytes) const {
  const std::uint64_t last = pending_.empty() ? durable_version_ : pending_.back().version();
  const std::size_t event_bytes = bytes_since_image_ + pending_bytes_;
  if (event_bytes < data_bytes / 2) return false;
  return last - image_version_ >= policy_.every_events || event_bytes >= policy_.every_bytes;
}

room_write room_journal::take_waiting() {
  room_write w;
  w.room = room_;
  in_flight_version_ = pending_.empty() ? durable_version_ : pending_.back().version();
  if (pending_image_) in_flight_version_ = std::max(in_flight_version_, pending_image_->version);
  if (pending_erase_) {
    // An erase removes everything of the room: the changes before it need not be written.
    w.erase = true;
    in_flight_version_ = *pending_erase_;
  } else {
    w.image = std::move(pending_image_);
    w.events = std::move(pending_);
  }
  in_flight_bytes_ = pending_bytes_;
  pending_image_.reset();
  pending_.clear();
  pending_bytes_ = 0;
  pending_erase_.reset();
  return w;
}

void room_journal::start(const room_write& w) {
  in_flight_ = true;
  in_flight_image_ = w.image ? std::optional<std::uint64_t>{w.image->version} : std::nullopt;
}

void room_journal::written() {
  in_flight_ = false;
  durable_version_ = in_flight_version_;
  if (in_flight_image_) {
    image_version_ = *in_flight_image_;
    bytes_since_image_ = 0;
  } else {
    bytes_since_image_ += in_flight_bytes_;
  }
}

void room_journal::failed() {
  in_flight_ = false;
  pending_.clear();
  pending_image_.reset();
  pending_bytes_ = 0;
  pending_erase_.reset();
}

}  // namespace rooms
