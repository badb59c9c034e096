// list_merge: one `list` call answered for a whole cluster (docs/protocol.md, section 12). The
// directory that took the call asks its own index and every peer's directory for a page of the
// same query; this merges the pages by room id into one answer, and names the nodes that did
// not answer in time. A plain class: tests drive it without actors.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "actors/storage/room_index.hpp"
#include "protocol/list_query.hpp"
#include "protocol/result.hpp"

namespace rooms {

class list_merge {
 public:
  /// Waits for `parts` pages (this node's and each peer's).
  list_merge(std::size_t limit, std::size_t parts) : limit_(limit), waiting_(parts) {}

  /// A node's page.
  void add(list_page page);
  /// A node that did not answer (down, or past the call timeout).
  void unavailable(std::string node);
  /// This node's own read failed: the call fails with it.
  void failed(rooms_error error);

  bool complete() const { return waiting_ == 0; }
  /// {"rooms": [...], "next": id or nil, "unavailable"?: [node, ...]}, or this node's error.
  result<value> answer();

 private:
  std::size_t limit_;
  std::size_t waiting_;
  std::vector<value> rooms_;
  bool more_ = false;
  std::vector<std::string> unavailable_;
  std::optional<rooms_error> error_;
};

/// A page as it crosses nodes: MessagePack {"rooms": [...], "more": bool}.
std::string encode_list_page(const list_page& page);
result<list_page> decode_list_page(std::string_view bytes);

}  // namespace rooms
