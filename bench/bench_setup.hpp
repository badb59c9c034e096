// bench_setup: what exists on the server before a workload runs (not measured): Rooms rooms
// created as "bench", a big room filled, the Redis script loaded, the echo target's room names.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench/bench_options.hpp"
#include "protocol/result.hpp"

namespace rooms::bench {

/// Creates `count` rooms with user "bench" and data {"cells": {}}; returns their ids.
/// Pipelined in batches so that in durability sync many creates share one fsync.
result<std::vector<std::string>> create_rooms(const bench_options& options, std::size_t count);

/// Grows the data of `room` to about `bytes` (MessagePack size) with string cells under /blob.
result<std::size_t> fill_room(const bench_options& options, const std::string& room,
                              std::size_t bytes);

/// SCRIPT LOAD of redis_edit_script on the Redis at options.host:port; returns its SHA1.
result<std::string> load_redis_script(const bench_options& options);

/// `count` room names of Redis keys and channels: room:0, room:1, ...
std::vector<std::string> redis_room_names(std::size_t count);

/// `count` names shaped like Rooms ids (36 characters), so echo messages have an edit's size.
std::vector<std::string> echo_room_names(std::size_t count);

}  // namespace rooms::bench
