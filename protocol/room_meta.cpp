// The shape, sizes and merge of a room's meta (room_meta.hpp).
#include "protocol/room_meta.hpp"

#include <fmt/format.h>

#include "protocol/value_msgpack.hpp"

namespace rooms {

namespace {

rooms_error bad(error_code code, std::string_view why) {
  return rooms_error{code, fmt::format("meta: {}", why)};
}

std::optional<rooms_error> check_size(const value& meta) {
  if (meta.size() > meta_limits::entries)
    return bad(error_code::too_large,
               fmt::format("{} entries; at most {} allowed", meta.size(), meta_limits::entries));
  const std::size_t bytes = packed_size(meta);
  if (bytes > meta_limits::bytes)
    return bad(error_code::too_large,
               fmt::format("{} bytes; at most {} allowed", bytes, meta_limits::bytes));
  return std::nullopt;
}

}  // namespace

std::optional<rooms_error> check_meta(const value& meta, bool nil_removes) {
  if (!meta.is_map()) return bad(error_code::invalid_argument, "must be a map");
  for (const auto& [key_value, v] : meta.as_map()) {
    const std::string_view key = key_value.as_string();
    if (key.empty()) return bad(error_code::invalid_argument, "a key is empty");
    if (key.size() > meta_limits::key_bytes)
      return bad(error_code::too_large,
                 fmt::format("key \"{}...\" is {} bytes; at most {}", key.substr(0, 16), key.size(),
                             meta_limits::key_bytes));
    if (v.is_nil() && nil_removes) continue;
    if (v.is_string()) {
      if (v.as_string().size() > meta_limits::string_bytes)
        return bad(error_code::too_large,
                   fmt::format("the string of \"{}\" is {} bytes; at most {}", key,
                               v.as_string().size(), meta_limits::string_bytes));
      continue;
    }
    if (!v.is_number() && !v.is_bool())
      return bad(
          error_code::invalid_argument,
          fmt::format("the value of \"{}\" must be a string, integer, float or boolean", key));
  }
  // A set_meta's own size says nothing: removals shrink the result (merge_meta checks it).
  if (nil_removes) return std::nullopt;
  return check_size(meta);
}

result<value> merge_meta(const value& current, const value& changes) {
  value merged = current;
  value_map& members = merged.as_map();
  for (const auto& [key_value, v] : changes.as_map()) {
    const std::string_view key = key_value.as_string();
    if (v.is_nil()) {
      if (members.find(key) != nullptr) members.extract(key);
      continue;
    }
    members.insert_or_assign(key, v);
  }
  if (auto error = check_size(merged)) return *error;
  return merged;
}

}  // namespace rooms
