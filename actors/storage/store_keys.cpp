// Building and parsing room_store's keys (layout in room_store.hpp).
#include "actors/storage/store_keys.hpp"

namespace rooms::store_keys {

std::string encode_u64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (56 - 8 * i));
  return out;
}

std::optional<std::uint64_t> decode_u64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<std::uint8_t>(byte);
  return value;
}

std::string image_key(std::string_view room) {
  std::string key{images_begin};
  key.append(room);
  return key;
}

std::string events_begin(std::string_view room) {
  std::string key = "e/";
  key.append(room).push_back('/');
  return key;
}

std::string events_end(std::string_view room) {
  std::string key = "e/";
  key.append(room).push_back('0');
  return key;
}

std::string event_key(std::string_view room, std::uint64_t version) {
  return events_begin(room) + encode_u64(version);
}

std::optional<std::uint64_t> event_version(std::string_view key, std::string_view room) {
  const std::string prefix = events_begin(room);
  if (!key.starts_with(prefix)) return std::nullopt;
  return decode_u64(key.substr(prefix.size()));
}

}  // namespace rooms::store_keys
