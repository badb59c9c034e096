// room_catalog: the index map points into names_, which never changes after construction.
#include "bench/room_catalog.hpp"

namespace rooms::bench {

room_catalog::room_catalog(std::vector<std::string> names) : names_(std::move(names)) {
  index_.reserve(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) index_.emplace(names_[i], i);
}

std::size_t room_catalog::find(std::string_view name) const {
  auto found = index_.find(name);
  return found == index_.end() ? npos : found->second;
}

}  // namespace rooms::bench
