// string_sink: the stream msgpack-c's packer writes to, appending to a std::string. Shared by
// every encoder (msgpack_json, rpc_encoder, the storage codec).
#pragma once

#include <cstddef>
#include <string>

namespace rooms {

class string_sink {
 public:
  explicit string_sink(std::string& out) : out_(out) {}
  void write(const char* bytes, std::size_t size) { out_.append(bytes, size); }

 private:
  std::string& out_;
};

}  // namespace rooms
