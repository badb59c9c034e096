// Bytes written out one by one, for the inputs a packer would never produce.
#pragma once

#include <initializer_list>
#include <string>

namespace rooms::test {

inline std::string raw_bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out.push_back(static_cast<char>(byte));
  return out;
}

}  // namespace rooms::test
