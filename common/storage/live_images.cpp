#include "storage/live_images.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "storage/blob_store.hpp"
#include "storage/sha256.hpp"

namespace amarcord::storage {
namespace {
constexpr std::string_view kPrefix = "live-stream-image-";
}

LiveImages::LiveImages(const std::filesystem::path& data_dir) : dir_(data_dir / "live") {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw StorageError("cannot create " + dir_.string() + ": " + ec.message());
  remove_stale_atomic_temps(dir_, 3600);
}

std::string LiveImages::file_name(std::int64_t beamtime_id) {
  return std::string(kPrefix) + std::to_string(beamtime_id);
}

std::optional<std::int64_t> LiveImages::beamtime_of(const std::string& name) {
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size()) return std::nullopt;
  std::int64_t id = 0;
  const char* first = name.data() + kPrefix.size();
  const char* last = name.data() + name.size();
  auto [p, ec] = std::from_chars(first, last, id);
  if (ec != std::errc{} || p != last || *first == '-' || *first == '+') return std::nullopt;
  return id;
}

std::filesystem::path LiveImages::path_of(std::int64_t beamtime_id) const {
  return dir_ / file_name(beamtime_id);
}

AtomicFileWriter LiveImages::begin(std::int64_t beamtime_id) const {
  return AtomicFileWriter(path_of(beamtime_id));
}

std::optional<LiveImage> LiveImages::open(std::int64_t beamtime_id) const {
  const auto path = path_of(beamtime_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto handle = std::make_shared<const FileHandle>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  LiveImage image;
  image.file = handle;
  image.size = static_cast<std::uint64_t>(st.st_size);
  image.modified = domain::Instant{std::chrono::seconds{st.st_mtim.tv_sec} +
                                   std::chrono::microseconds{st.st_mtim.tv_nsec / 1000}};
  // Read the inode we hold: the head for sniffing and, unless known, the digest.
  const auto ns = [](const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  const DigestKey key{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      image.size, ns(st.st_mtim), ns(st.st_ctim)};
  // File time stamps advance in coarse ticks (jiffies). A digest is only
  // remembered once the tick of the file's ctime is surely over, so no later
  // file can share the key ("racy" entries, as git calls them).
  timespec now_ts{};
  ::clock_gettime(CLOCK_REALTIME, &now_ts);
  const bool cacheable = ns(now_ts) - ns(st.st_ctim) > 100'000'000;
  {
    std::lock_guard lock(mutex_);
    if (auto it = digests_.find(key); it != digests_.end()) image.sha256 = it->second;
  }
  Sha256 hash;
  std::string buffer(256 * 1024, '\0');
  std::uint64_t offset = 0;
  while (offset < image.size) {
    const bool need_digest = image.sha256.empty();
    if (!need_digest && offset >= 64 * 1024) break;
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::string_view piece(buffer.data(), static_cast<std::size_t>(n));
    if (image.head.size() < 64 * 1024)
      image.head.append(piece.substr(0, 64 * 1024 - image.head.size()));
    if (need_digest) hash.update(piece);
    offset += static_cast<std::uint64_t>(n);
  }
  if (image.sha256.empty()) {
    if (offset != image.size) return std::nullopt;  // shrank under us: not a replaced file
    image.sha256 = hash.hex_digest();
    if (cacheable) {
      std::lock_guard lock(mutex_);
      if (digests_.size() > 1024) digests_.clear();
      digests_[key] = image.sha256;
    }
  }
  return image;
}

}  // namespace amarcord::storage
