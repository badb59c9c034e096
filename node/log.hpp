// The node's log: one line per event on stderr, formatted with fmt, filtered by level
// (--log-level). Lines look like `roomsd [warn] message`. Safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace rooms {

enum class log_level { error, warn, info, debug };

/// "error", "warn", "info" or "debug".
std::string_view to_string(log_level level);
std::optional<log_level> parse_log_level(std::string_view name);

/// Lines above `level` are dropped from now on. Defaults to info.
void set_log_level(log_level level);
bool log_enabled(log_level level);

/// Writes one complete line (the level prefix is added), in one write.
void write_log_line(log_level level, std::string_view message);

template <class... Ts>
void log(log_level level, fmt::format_string<Ts...> format, Ts&&... args) {
  if (log_enabled(level)) write_log_line(level, fmt::format(format, std::forward<Ts>(args)...));
}

}  // namespace rooms
