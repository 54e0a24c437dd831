#include "storage/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "storage/blob_store.hpp"

namespace amarcord::storage {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& p, int err) {
  throw StorageError(fmt::format("{} {}: {}", what, p.string(), std::strerror(err)));
}

void fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) fail("cannot fsync directory", dir, err);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 0; attempt < 8 && fd_ < 0; ++attempt) {
    temp_ = target_.parent_path() / fmt::format(".{}.{:016x}.tmp", target_.filename().string(),
                                                static_cast<std::uint64_t>(rng()));
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && errno != EEXIST) fail("cannot create", temp_, errno);
  }
  if (fd_ < 0) fail("cannot create a temp file for", target_, EEXIST);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      head_(std::move(other.head_)) {
  other.temp_.clear();
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFileWriter::write(std::string_view data) {
  if (fd_ < 0) throw StorageError("write to a finished file writer");
  if (head_.size() < 64 * 1024) head_.append(data.substr(0, 64 * 1024 - head_.size()));
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", temp_, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw StorageError("commit of a finished file writer");
  if (::fsync(fd_) != 0) fail("cannot fsync", temp_, errno);
  if (::close(std::exchange(fd_, -1)) != 0) fail("cannot close", temp_, errno);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename over", target_, errno);
  temp_.clear();
  fsync_directory(target_.parent_path());
}

void remove_stale_atomic_temps(const std::filesystem::path& dir, long min_age_seconds) {
  std::error_code ec;
  const std::time_t now = std::time(nullptr);
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() < 6 || name.front() != '.' || !name.ends_with(".tmp")) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (now - st.st_mtime >= min_age_seconds) ::unlink(e.path().c_str());
  }
}

}  // namespace amarcord::storage
