// Data dir checks and the atomic creation of a store (data_dir.hpp). File system calls report
// through std::error_code or errno, never exceptions.
#include "actors/storage/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace rooms::data_dir {

namespace {

namespace fs = std::filesystem;

constexpr const char* probe_name = ".rooms-write-probe";

rooms_error unavailable(std::string message) {
  return rooms_error{error_code::unavailable, std::move(message)};
}

rooms_error dir_error(const std::string& path, std::string_view what, const std::error_code& ec) {
  return unavailable(fmt::format("data dir {} {}: {}", path, what, ec.message()));
}

std::error_code last_errno() { return {errno, std::generic_category()}; }

// Creates, writes, fsyncs and removes a small file: permission bits, a read-only mount, an
// immutable directory and a full disk all show here instead of later in RocksDB.
std::optional<std::error_code> probe_write(const std::string& data_dir) {
  const std::string probe = (fs::path(data_dir) / probe_name).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return last_errno();
  std::optional<std::error_code> failed;
  if (::write(fd, "x", 1) != 1 || ::fsync(fd) != 0) failed = last_errno();
  ::close(fd);
  if (::unlink(probe.c_str()) != 0 && !failed) failed = last_errno();
  return failed;
}

bool ignored_entry(const std::string& name) {
  return name == "lost+found" || name == probe_name || name == "rocksdb.init";
}

}  // namespace

std::string store_path(const std::string& data_dir) {
  return (fs::path(data_dir) / "rocksdb").string();
}

std::string init_path(const std::string& data_dir) {
  return (fs::path(data_dir) / "rocksdb.init").string();
}

std::optional<rooms_error> check_usable(const std::string& data_dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(data_dir, ec);
  if (status.type() == fs::file_type::not_found)
    return unavailable(fmt::format("data dir {} does not exist", data_dir));
  if (ec) return dir_error(data_dir, "cannot be examined", ec);
  if (status.type() != fs::file_type::directory)
    return unavailable(fmt::format("data dir {} is not a directory", data_dir));
  if (auto failed = probe_write(data_dir)) return dir_error(data_dir, "is not writable", *failed);
  return std::nullopt;
}

result<contents> inspect(const std::string& data_dir) {
  std::error_code ec;
  fs::directory_iterator it(data_dir, ec);
  contents found;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "rocksdb")
      found.has_store = true;
    else if (!ignored_entry(name) && !found.foreign)
      found.foreign = name;
  }
  if (ec) return dir_error(data_dir, "cannot be listed", ec);
  return found;
}

std::optional<rooms_error> remove_stale_init(const std::string& data_dir) {
  std::error_code ec;
  fs::remove_all(init_path(data_dir), ec);
  if (ec) return dir_error(data_dir, "holds a stale rocksdb.init that cannot be removed", ec);
  return std::nullopt;
}

std::optional<rooms_error> publish_init(const std::string& data_dir) {
  std::error_code ec;
  fs::rename(init_path(data_dir), store_path(data_dir), ec);
  if (ec) return dir_error(data_dir, "cannot take its new store (rename failed)", ec);
  return sync_directory(data_dir);
}

std::optional<rooms_error> sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return dir_error(path, "cannot be opened to sync", last_errno());
  const bool synced = ::fsync(fd) == 0;
  const std::error_code ec = synced ? std::error_code{} : last_errno();
  ::close(fd);
  if (!synced) return dir_error(path, "cannot be synced", ec);
  return std::nullopt;
}

}  // namespace rooms::data_dir
