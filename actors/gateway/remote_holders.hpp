// remote_holders: the room actors on other cluster nodes that send one gateway its events, and
// which rooms each holds. The gateway monitors each once; when one goes down abnormally (its
// node was lost or stopped) the rooms it held are unreachable (docs/cluster.md). Plain C++:
// actor addresses are opaque keys here.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>

namespace rooms {

class remote_holders {
 public:
  /// `room` is now served by `holder`. True if `holder` is new (the caller monitors it).
  bool hold(const std::string& room, const caf::actor_addr& holder);

  /// `holder` went down: forgets it and returns the rooms it still held.
  std::vector<std::string> lost(const caf::actor_addr& holder);

  /// Forgets rooms for which `followed` is false; returns the holders that hold nothing any
  /// more (the caller stops monitoring them). Called when the table grew, so that a
  /// connection's subscribe-unsubscribe churn cannot grow it without bound.
  std::vector<caf::actor_addr> prune(const std::function<bool(const std::string&)>& followed);

  std::size_t rooms() const { return holder_of_.size(); }

 private:
  std::unordered_map<std::string, caf::actor_addr> holder_of_;
  std::unordered_map<caf::actor_addr, std::size_t> rooms_held_;
};

}  // namespace rooms
