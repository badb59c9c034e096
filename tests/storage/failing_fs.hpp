// A RocksDB file system for tests that fails every write while a flag is set: a full or broken
// disk under a real store (store_options::env is the seam).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace rooms::test {

/// A writable file whose appends, flushes and syncs fail while `failing` is set.
class failing_file : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  failing_file(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& failing)
      : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (failing_) return injected();
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (failing_) return injected();
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (failing_) return injected();
    return FSWritableFileOwnerWrapper::Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (failing_) return injected();
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (failing_) return injected();
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  static rocksdb::IOStatus injected() {
    return rocksdb::IOStatus::IOError("injected write failure");
  }
  const std::atomic<bool>& failing_;
};

/// The real file system, except that writes fail while `failing` is set (a full or broken disk).
class failing_fs : public rocksdb::FileSystemWrapper {
 public:
  failing_fs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "rooms_test_failing_fs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<failing_file>(std::move(*file), failing);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* dbg) override {
    auto status = FileSystemWrapper::ReopenWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<failing_file>(std::move(*file), failing);
    return status;
  }

  std::atomic<bool> failing{false};
};

/// An Env over `fs`, for store_options::env.
inline std::shared_ptr<rocksdb::Env> env_over(const std::shared_ptr<failing_fs>& fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs));
}

}  // namespace rooms::test
