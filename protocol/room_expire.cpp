// The arguments of expiry policies (room_expire.hpp).
#include "protocol/room_expire.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace rooms {

namespace {

rooms_error bad(std::string_view name, std::string_view why) {
  return {error_code::invalid_argument, fmt::format("argument '{}' {}", name, why)};
}

}  // namespace

std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

value expire_policy::to_value() const {
  value_map out;
  if (empty_ms) out.insert_or_assign("empty_ms", value::unsigned_integer(*empty_ms));
  if (idle_ms) out.insert_or_assign("idle_ms", value::unsigned_integer(*idle_ms));
  return value::map(std::move(out));
}

expire_policy apply_expire(expire_policy current, const expire_setting& idle,
                           const expire_setting& empty) {
  if (idle) current.idle_ms = *idle;
  if (empty) current.empty_ms = *empty;
  return current;
}

result<expire_setting> read_expire_setting(const value_map& args, const char* name) {
  const value* v = args.find(name);
  if (v == nullptr) return expire_setting{};
  if (v->is_nil()) return expire_setting{std::optional<std::uint64_t>{}};
  const auto out_of_range = [&] {
    return bad(name, fmt::format("must be nil or a number of milliseconds from {} to {}",
                                 min_expire_ms, max_expire_ms));
  };
  std::uint64_t ms = 0;
  if (v->is_integer()) {
    const __int128 i = v->as_int128();
    if (i < static_cast<__int128>(min_expire_ms) || i > static_cast<__int128>(max_expire_ms))
      return out_of_range();
    ms = static_cast<std::uint64_t>(i);
  } else if (v->is_float()) {
    const double d = v->as_double();
    if (!(d >= static_cast<double>(min_expire_ms) && d <= static_cast<double>(max_expire_ms)) ||
        std::floor(d) != d)
      return out_of_range();
    ms = static_cast<std::uint64_t>(d);
  } else {
    return out_of_range();
  }
  return expire_setting{std::optional<std::uint64_t>{ms}};
}

result<expire_policy> read_expire_policy(const value& arg) {
  if (!arg.is_map()) return bad("expire", "must be a map with idle_ms and/or empty_ms");
  for (const auto& member : arg.as_map()) {
    const std::string_view name = member.key.as_string();
    if (name != "idle_ms" && name != "empty_ms")
      return bad("expire",
                 fmt::format("has an unknown member '{}'; it takes idle_ms, empty_ms", name));
  }
  auto idle = read_expire_setting(arg.as_map(), "idle_ms");
  if (!idle) return idle.error();
  auto empty = read_expire_setting(arg.as_map(), "empty_ms");
  if (!empty) return empty.error();
  return apply_expire({}, *idle, *empty);
}

}  // namespace rooms
