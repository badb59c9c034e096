// libFuzzer target: random room data and random edits through room_state and the edit engine
// (docs/protocol.md). Input: a MessagePack stream, the room's data map, then the
// named arguments of each edit. Any broken invariant aborts (see check_* below), including an
// edit's patch that nlohmann's json::patch does not replay exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "actors/room/edit_engine.hpp"
#include "actors/room/room_state.hpp"
#include "protocol/command_parser.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/value_json.hpp"
#include "protocol/value_msgpack.hpp"

namespace {

using rooms::json;

void check(bool condition) {
  if (!condition) std::abort();
}

// Small limits, so that short inputs reach every refusal.
std::shared_ptr<const rooms::limits> fuzz_limits() {
  auto lims = std::make_shared<rooms::limits>();
  lims->max_data_bytes = 2048;
  lims->max_ops = 32;
  lims->max_depth = 6;
  lims->retained_events = 8;
  lims->retained_keys = 4;
  return lims;
}

// The MessagePack objects of the input, as documents; stops at the first bad one.
std::vector<rooms::value> read_values(const std::uint8_t* data, std::size_t size) {
  std::vector<rooms::value> values;
  const msgpack::unpack_limit bounds(256, 256, 1024, 1024, 64, 12);
  std::size_t offset = 0;
  while (offset < size && values.size() < 64) {
    try {
      auto handle = msgpack::unpack(reinterpret_cast<const char*>(data), size, offset, nullptr,
                                    nullptr, bounds);
      auto value = rooms::to_value(handle.get(), 12);
      if (!value) break;
      values.push_back(std::move(*value));
    } catch (const std::exception&) {
      break;
    }
  }
  return values;
}

// The document survives MessagePack and back byte for byte (types, floats, binary), and its
// nlohmann view encodes to the same bytes (the two encoders agree).
void check_round_trip(const rooms::value& value) {
  const std::string bytes = rooms::to_msgpack_bytes(value);
  check(rooms::packed_size(value) == bytes.size());
  auto handle = msgpack::unpack(bytes.data(), bytes.size());
  auto back = rooms::to_value(handle.get(), 64);
  check(back.ok() && *back == value && rooms::to_msgpack_bytes(*back) == bytes);
  check(rooms::to_msgpack_bytes(rooms::value_to_json(value)) == bytes);
}

// The engine alone: a failure leaves data and tracked size untouched; a success keeps the
// tracked size exact and the limits held.
void check_engine(rooms::document& doc, const rooms::value& ops, const rooms::limits& lims) {
  const std::string before = rooms::to_msgpack_bytes(doc.data);
  const std::size_t before_size = doc.packed_bytes;
  const rooms::document_limits doc_limits{lims.max_data_bytes, lims.max_ops, lims.max_depth};
  if (apply_edit(doc, ops, doc_limits)) {
    check(rooms::to_msgpack_bytes(doc.data) == before && doc.packed_bytes == before_size);
    return;
  }
  check(doc.data.is_map());
  check(doc.packed_bytes == rooms::packed_size(doc.data));
  check(doc.packed_bytes <= lims.max_data_bytes);
  check(rooms::nesting_depth(doc.data) <= lims.max_depth);
}

// The edit's RFC 6902 patch (what `patch: true` subscribers get), applied by an independent
// implementation (nlohmann's json::patch) to the data before, yields the data after, byte for
// byte; it uses only add, remove and replace.
void check_patch(const json& before, const std::string& patch, const rooms::value& after) {
  auto decoded = rooms::from_msgpack_bytes(patch, 64);
  check(decoded.ok() && decoded->is_array());
  for (const auto& op : *decoded) {
    const std::string name = op.value("op", "");
    check(name == "add" || name == "remove" || name == "replace");
  }
  json replica;
  try {
    replica = before.patch(*decoded);
  } catch (const json::exception&) {
    check(false);
  }
  check(rooms::to_msgpack_bytes(replica) == rooms::to_msgpack_bytes(after));
}

// The room: a failed edit changes nothing, a change moves the version by exactly one.
void check_room_edit(rooms::room_state& room, rooms::edit_command cmd,
                     std::vector<rooms::event_record>& records) {
  const std::string before = rooms::to_msgpack_bytes(room.snapshot());
  const json data_before = rooms::value_to_json(room.data());
  const std::uint64_t version = room.version();
  auto outcome = room.edit(std::move(cmd));
  if (!outcome || !outcome->change) {
    check(room.version() == version && rooms::to_msgpack_bytes(room.snapshot()) == before);
    return;
  }
  check(room.version() == version + 1 && outcome->change->version() == room.version());
  check_patch(data_before, outcome->change->patch, room.data());
  records.push_back(*outcome->change);
  check_round_trip(room.data());
}

// A room rebuilt from storage's view (first image plus every change) equals the live one.
void check_restore(const rooms::room_state& room, const rooms::room_image& first,
                   std::vector<rooms::event_record> records,
                   const std::shared_ptr<const rooms::limits>& lims) {
  const std::string live = rooms::to_msgpack_bytes(room.snapshot());
  auto replayed = rooms::room_state::restore(first, std::move(records), lims);
  check(replayed.ok() && rooms::to_msgpack_bytes(replayed->snapshot()) == live);
  auto reloaded = rooms::room_state::restore(room.image(), {}, lims);
  check(reloaded.ok() && rooms::to_msgpack_bytes(reloaded->snapshot()) == live);
}

std::optional<rooms::edit_command> as_edit(rooms::value params, const std::string& room) {
  if (!params.is_map()) return std::nullopt;
  rooms::value_map& named = params.as_map();
  named.insert_or_assign("room", rooms::value::string(room));
  if (named.find("user") == nullptr) named.insert_or_assign("user", rooms::value::string("alice"));
  auto parsed = rooms::parse_command("edit", params);
  if (!parsed) return std::nullopt;
  return std::get<rooms::edit_command>(std::get<rooms::room_command>(*parsed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<rooms::value> values = read_values(data, size);
  if (values.empty() || !values[0].is_map()) return 0;
  const auto lims = fuzz_limits();
  const std::string id = "00000000-0000-4000-8000-000000000000";
  auto room = rooms::room_state::create(id, {"alice", values[0]}, lims);
  if (!room) return 0;
  check_round_trip(room->data());
  const rooms::room_image first = room->image();
  rooms::value mirror_data = values[0];
  const std::size_t mirror_bytes = rooms::packed_size(mirror_data);
  rooms::document mirror{std::move(mirror_data), mirror_bytes};
  std::vector<rooms::event_record> records;
  for (std::size_t i = 1; i < values.size(); ++i) {
    auto cmd = as_edit(std::move(values[i]), id);
    if (!cmd) continue;
    check_engine(mirror, cmd->ops, *lims);
    check_room_edit(*room, std::move(*cmd), records);
  }
  check_restore(*room, first, std::move(records), lims);
  return 0;
}
