// Rebuilding a room from storage (room_image plus event records) and taking its image: the
// recovery half of room_state (docs/operations.md describes what is stored).
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "actors/room/room_state.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

rooms_error corrupt(const std::string& room, const std::string& why) {
  return {error_code::internal, fmt::format("stored room {} is inconsistent: {}", room, why)};
}

// A record replays only if it has the fields its type needs.
bool is_well_formed(const value& record) {
  const value_map* event = record.if_map();
  if (event == nullptr) return false;
  const value* version = event->find("version");
  const value* type = event->find("type");
  const value* user = event->find("user");
  const value* ops = event->find("ops");
  const value* meta = event->find("meta");
  return version != nullptr && version->kind() == value_kind::unsigned_integer && type != nullptr &&
         type->is_string() && user != nullptr && user->is_string() &&
         (type->as_string() != "edited" || (ops != nullptr && ops->is_array())) &&
         (type->as_string() != "meta" || (meta != nullptr && meta->is_map())) &&
         (type->as_string() != "expire" || event->find("expire") != nullptr);
}

}  // namespace

room_image room_state::image() const {
  return room_image{id_,       owner_,   members_.in_join_order(),
                    doc_.data, version_, keys_.export_keys(),
                    meta_,     expire_,  clocks_};
}

result<room_state> room_state::restore(room_image image, std::vector<event_record> records,
                                       std::shared_ptr<const limits> lims,
                                       const room_clocks* clocks) {
  const std::size_t bytes = packed_size(image.data);
  room_state room{image.id, image.owner, document{std::move(image.data), bytes}, std::move(lims)};
  room.members_ = member_list{std::move(image.members)};
  room.version_ = image.version;
  room.meta_ = std::move(image.meta);
  room.expire_ = image.expire;
  room.clocks_ = image.clocks;
  for (auto& key : image.keys)
    room.keys_.remember(key.user, key.key, {key.fingerprint, key.version});
  std::uint64_t previous = 0;
  for (auto& record : records) {
    if (!is_well_formed(record.event)) return corrupt(room.id_, "malformed event record");
    const std::uint64_t version = record.version();
    if (previous != 0 && version != previous + 1)
      return corrupt(room.id_, fmt::format("event {} follows event {}", version, previous));
    previous = version;
    if (version <= room.version_) {
      room.retain(version, record.event, record.patch);
    } else if (auto failure = room.replay(record)) {
      return std::move(*failure);
    }
  }
  // The summary written with the last change has the clocks as of it; without one (a store
  // written before summaries), a replayed change counts from now, which never expires early.
  if (clocks != nullptr) room.clocks_ = *clocks;
  return room;
}

std::optional<rooms_error> room_state::replay(event_record& record) {
  const value_map& event = record.event.as_map();
  if (record.version() != version_ + 1)
    return corrupt(id_,
                   fmt::format("event {} does not follow version {}", record.version(), version_));
  const std::string_view type = event.find("type")->as_string();
  const std::string user{event.find("user")->as_string()};
  if (type == "joined") {
    members_.add(user);
    members_changed();
  } else if (type == "left") {
    members_.remove(user);
    members_changed();
  } else if (type == "edited") {
    // The edit was accepted under the limits of its day; replaying it must not refuse it now.
    constexpr auto unlimited = std::numeric_limits<std::size_t>::max();
    if (auto failure = apply_edit(doc_, *event.find("ops"), {unlimited, unlimited, unlimited}))
      return corrupt(id_,
                     fmt::format("edit {} does not apply: {}", record.version(), failure->message));
  } else if (type == "meta") {
    meta_ = *event.find("meta");
  } else if (type == "expire") {
    auto policy = read_expire_policy(*event.find("expire"));
    if (!policy) return corrupt(id_, fmt::format("event {} has a malformed policy", version_ + 1));
    expire_ = *policy;
  } else {
    return corrupt(id_, fmt::format("event {} has type '{}'", record.version(), type));
  }
  ++version_;
  clocks_.changed_at_ms = now_ms_;
  if (record.key) keys_.remember(user, *record.key, {record.fingerprint, version_});
  retain(version_, record.event, record.patch);
  return std::nullopt;
}

}  // namespace rooms
