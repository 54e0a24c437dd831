// Replacing a file atomically: write a temp file in the same directory,
// fsync it, rename it over the target, fsync the directory. Readers see the
// old bytes or the new ones, never a mix, also after a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace amarcord::storage {

class AtomicFileWriter {
 public:
  // Creates "<dir>/.<name>.<random>.tmp" next to `target`.
  explicit AtomicFileWriter(std::filesystem::path target);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  ~AtomicFileWriter();  // removes the temp file unless committed

  void write(std::string_view data);  // throws StorageError
  std::uint64_t size() const { return size_; }
  // The first bytes (up to 64 KiB), for content sniffing.
  const std::string& head() const { return head_; }
  void commit();  // fsync, rename over the target, fsync the directory

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string head_;
};

// Removes temp files AtomicFileWriter left in `dir` (after a crash) that are
// older than `min_age_seconds`.
void remove_stale_atomic_temps(const std::filesystem::path& dir, long min_age_seconds);

}  // namespace amarcord::storage
