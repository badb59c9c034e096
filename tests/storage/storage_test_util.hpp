// Helpers for the storage tests: temporary data dirs, an immutable-directory guard (a read-only
// data dir even for root), sample rooms, and waiting for completions from other threads.
#pragma once

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "actors/storage/room_image.hpp"
#include "protocol/value_json.hpp"

namespace rooms::test {

using json = nlohmann::json;

/// A fresh directory under /tmp, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = "/tmp/rooms-storage-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// Sets the immutable flag (chattr +i) on a directory for its lifetime: nothing can be created
/// in it, even by root. ok() is false where the flag cannot be set (no CAP_LINUX_IMMUTABLE, or
/// a file system without it); tests then skip the case.
class immutable_dir {
 public:
  explicit immutable_dir(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY)) {
    ok_ = fd_ >= 0 && set(true);
  }
  ~immutable_dir() {
    if (ok_) set(false);
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }

 private:
  bool set(bool on) {
    int flags = 0;
    if (::ioctl(fd_, FS_IOC_GETFLAGS, &flags) != 0) return false;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    return ::ioctl(fd_, FS_IOC_SETFLAGS, &flags) == 0;
  }
  int fd_;
  bool ok_ = false;
};

/// Room data using every value type of the MessagePack mapping (positive integers are
/// unsigned, negative ones signed, floats stay floats even when integral).
inline json every_type_document() {
  json data = json::object();
  data["uint"] = std::uint64_t{18446744073709551615u};
  data["small"] = std::uint64_t{5};
  data["int"] = std::int64_t{-9223372036854775807 - 1};
  data["neg"] = std::int64_t{-5};
  data["float"] = 2.0;
  data["pi"] = 3.25;
  data["text"] = "h\xc3\xa9llo";
  data["empty"] = "";
  data["bin"] = json::binary({0x00, 0x01, 0xff});
  data["null"] = nullptr;
  data["yes"] = true;
  data["no"] = false;
  data["list"] =
      json::array({std::uint64_t{1}, json::array({json::object({{"x", json::array()}})})});
  data["map"] = json::object();
  return data;
}

inline room_image sample_image(const std::string& id, std::uint64_t version = 1) {
  room_image image;
  image.id = id;
  image.owner = "owner-1";
  image.members = {"owner-1", "member-2"};
  image.data = json_to_value(every_type_document());
  image.version = version;
  image.keys = {{"alice", "key-a", 0xffffffffffffffffu, version}, {"bob", "key-b", 7, version}};
  return image;
}

inline event_record sample_event(std::uint64_t version, bool keyed = false) {
  event_record record;
  record.event =
      json_to_value({{"type", "edited"},
                     {"version", version},
                     {"ops", json::array({{{"op", "add"}, {"path", "/n"}, {"value", version}}})}});
  if (keyed) record.key = "key-" + std::to_string(version);
  record.fingerprint = keyed ? version * 31 : 0;
  return record;
}

/// True if `a` and `b` are equal with the same types throughout (nlohmann's == says 5u == 5
/// and 2.0 == 2).
/// Same kinds and contents: value's own equality, which never mixes integer and float.
inline bool identical(const value& a, const value& b) { return a == b; }

inline bool identical(const json& a, const json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!b.contains(it.key()) || !identical(*it, b.at(it.key()))) return false;
    return true;
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

/// Waits for `n` events counted from other threads, up to a generous deadline (no sleeps).
class event_counter {
 public:
  void add(std::size_t k = 1) {
    {
      const std::lock_guard lock(mutex_);
      count_ += k;
    }
    changed_.notify_all();
  }
  bool wait_for(std::size_t n, std::chrono::seconds deadline = std::chrono::seconds(60)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return count_ >= n; });
  }
  std::size_t count() {
    const std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
};

}  // namespace rooms::test
