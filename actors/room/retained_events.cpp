// Decoding happens only for replays (`subscribe` with `since`), so it may be slow; what it
// decodes was encoded by this node from a valid document, so it cannot fail.
#include "actors/room/retained_events.hpp"

#include <limits>
#include <utility>

#include "protocol/msgpack_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

json decode(std::string_view packed) {
  // The event was accepted under the depth limit of its day: no limit applies when reading it.
  return from_msgpack_bytes(packed, std::numeric_limits<std::size_t>::max()).value();
}

// Our own encodings of events accepted under the depth limit of their day: no limit applies
// when reading them, and they decode.
value decode_value(std::string_view packed) {
  return value_from_msgpack_bytes(packed, std::numeric_limits<std::size_t>::max()).value();
}

}  // namespace

std::string retained_events::event::with_patch() const {
  std::string out;
  append_with_member(out, plain(), "patch", patch());
  return out;
}

std::string_view retained_events::event::encoding(bool patch, std::string& scratch) const {
  if (!patch || !has_patch()) return plain();
  scratch = with_patch();
  return scratch;
}

void retained_events::push(std::uint64_t version, std::string bytes, std::size_t plain_bytes) {
  // Replays assume consecutive versions: after a gap only what follows it can be replayed.
  if (!events_.empty() && version != newest_version_ + 1) events_.clear();
  newest_version_ = version;
  events_.push_back(event{std::move(bytes), static_cast<std::uint32_t>(plain_bytes)});
  if (events_.size() > capacity_) events_.pop_front();
}

value retained_events::values_since(std::uint64_t since, bool with_patch) const {
  value_array events;
  if (empty()) return value::array();
  const std::uint64_t skip = since >= oldest_version() ? since - oldest_version() + 1 : 0;
  events.reserve(static_cast<std::size_t>(events_.size() - skip));
  // Retained events hold consecutive versions, so the first one to send is found by arithmetic.
  std::string scratch;
  for (std::uint64_t i = skip; i < events_.size(); ++i)
    events.push_back(
        decode_value(events_[static_cast<std::size_t>(i)].encoding(with_patch, scratch)));
  return value::array(std::move(events));
}

std::vector<json> retained_events::decoded(bool with_patch) const {
  std::vector<json> events;
  events.reserve(events_.size());
  std::string scratch;
  for (const auto& e : events_) events.push_back(decode(e.encoding(with_patch, scratch)));
  return events;
}

}  // namespace rooms
