// The node's stderr log.
#include "node/log.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>

namespace rooms {

namespace {

constexpr std::array<std::string_view, 4> level_names = {"error", "warn", "info", "debug"};

std::atomic<log_level> current_level{log_level::info};
std::mutex output_mutex;

}  // namespace

std::string_view to_string(log_level level) { return level_names[static_cast<std::size_t>(level)]; }

std::optional<log_level> parse_log_level(std::string_view name) {
  for (std::size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == name) return static_cast<log_level>(i);
  return std::nullopt;
}

void set_log_level(log_level level) { current_level = level; }

bool log_enabled(log_level level) { return level <= current_level.load(); }

void write_log_line(log_level level, std::string_view message) {
  std::string line = fmt::format("roomsd [{}] {}\n", to_string(level), message);
  std::lock_guard<std::mutex> lock(output_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace rooms
