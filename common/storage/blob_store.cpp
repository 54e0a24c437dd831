#include "storage/blob_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

namespace amarcord::storage {
namespace {

constexpr std::size_t kHeadBytes = 64 * 1024;
constexpr std::string_view kTempPrefix = "blob-";
constexpr std::string_view kTempSuffix = ".tmp";
// Temp files untouched for this long belong to a dead process (see
// remove_stale_temp_files).
constexpr time_t kStaleTempSeconds = 3600;

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

[[noreturn]] void throw_errno(std::string_view what, const std::filesystem::path& path,
                              int err = errno) {
  std::string msg(what);
  msg += ' ';
  msg += path.string();
  msg += ": ";
  msg += errno_text(err);
  throw StorageError(msg);
}

void close_quietly(int fd) {
  if (fd >= 0) ::close(fd);
}

// Makes a directory's entries (created, renamed, removed files) durable.
void fsync_dir(const std::filesystem::path& dir) {
  int fd;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno("cannot open directory", dir);
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    throw_errno("cannot fsync directory", dir, err);
  }
  ::close(fd);
}

// mkdir that tolerates an existing directory; returns whether it created one.
bool make_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return true;
  const int err = errno;
  if (err == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
    throw StorageError("not a directory: " + dir.string());
  }
  throw_errno("cannot create directory", dir, err);
}

void ensure_dir_durably(const std::filesystem::path& dir) {
  if (make_dir(dir)) fsync_dir(dir.parent_path());
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), static_cast<unsigned>(::getpid())};
    return std::mt19937_64(seq);
  }();
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

bool is_temp_name(std::string_view name) {
  return name.size() > kTempPrefix.size() + kTempSuffix.size() && name.starts_with(kTempPrefix) &&
         name.ends_with(kTempSuffix);
}

// Deletes blob temp files in `tmp_dir` that were not modified for an hour.
//
// Why an age rule instead of deleting everything: a temp file is only
// abandoned when the process writing it died, but another live process may
// share the data directory for a while (the old server during a restart
// overlap, an import tool run next to the server). Its in-progress writes
// refresh the file's mtime on every write, and no request stays idle for an
// hour (HTTP timeouts are far shorter), so a temp file untouched for an hour
// cannot belong to a live writer. Only our own "blob-*.tmp" names are touched.
void remove_stale_temp_files(const std::filesystem::path& tmp_dir) {
  DIR* dir = ::opendir(tmp_dir.c_str());
  if (dir == nullptr) throw_errno("cannot open directory", tmp_dir);
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int dfd = ::dirfd(dir);
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (!is_temp_name(name)) continue;
    struct stat st {};
    if (::fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
    if (!S_ISREG(st.st_mode)) continue;
    if (now.tv_sec - st.st_mtim.tv_sec >= kStaleTempSeconds) stale.emplace_back(name);
  }
  for (const auto& name : stale) {
    if (::unlinkat(dfd, name.c_str(), 0) != 0 && errno != ENOENT) {
      const int err = errno;
      ::closedir(dir);
      throw_errno("cannot remove stale temp file", tmp_dir / name, err);
    }
  }
  ::closedir(dir);
}

}  // namespace

// ---------------------------------------------------------------- BlobStore

BlobStore::BlobStore(std::filesystem::path data_dir)
    : data_dir_(std::move(data_dir)), files_dir_(data_dir_ / "files"), tmp_dir_(data_dir_ / "tmp") {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  if (ec) throw StorageError("cannot create directory " + data_dir_.string() + ": " + ec.message());
  ensure_dir_durably(files_dir_);
  ensure_dir_durably(tmp_dir_);
  remove_stale_temp_files(tmp_dir_);
}

BlobStore::Writer BlobStore::begin() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::filesystem::path temp =
        tmp_dir_ / (std::string(kTempPrefix) + random_hex(12) + std::string(kTempSuffix));
    int fd;
    do {
      fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd >= 0) return Writer(this, std::move(temp), fd);
    if (errno != EEXIST) throw_errno("cannot create temp file", temp);
  }
  throw StorageError("cannot create a unique temp file in " + tmp_dir_.string());
}

std::string BlobStore::put(std::string_view data) {
  Writer w = begin();
  w.write(data);
  return w.commit();
}

void BlobStore::put_original(std::string_view contents, bool zlib_compressed,
                             std::string_view expected_sha256) {
  if (!zlib_compressed) {
    // Verify before touching the disk; an already stored blob needs no copy.
    const std::string actual = sha256_hex(contents);
    if (actual != expected_sha256) {
      throw StorageError("SHA-256 mismatch: expected " + std::string(expected_sha256) + ", got " +
                         actual);
    }
    if (contains(actual)) return;
    Writer w = begin();
    w.write(contents);
    w.commit();
    return;
  }

  Writer w = begin();
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) {
    throw StorageError(std::string("zlib inflateInit failed: ") +
                       (zs.msg != nullptr ? zs.msg : "out of memory"));
  }
  struct InflateGuard {
    z_stream* zs;
    ~InflateGuard() { inflateEnd(zs); }
  } guard{&zs};

  std::vector<unsigned char> out(256 * 1024);
  const auto* in = reinterpret_cast<const unsigned char*>(contents.data());
  std::size_t in_left = contents.size();
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (zs.avail_in == 0 && in_left > 0) {
      // avail_in is 32 bits wide; feed very large inputs in slices.
      const std::size_t n = std::min<std::size_t>(in_left, std::size_t{1} << 30);
      zs.next_in = const_cast<unsigned char*>(in);  // zlib does not write through next_in
      zs.avail_in = static_cast<uInt>(n);
      in += n;
      in_left -= n;
    }
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    ret = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = out.size() - zs.avail_out;
    if (ret == Z_NEED_DICT || ret == Z_DATA_ERROR || ret == Z_MEM_ERROR || ret == Z_STREAM_ERROR) {
      throw StorageError(std::string("corrupt zlib data: ") +
                         (zs.msg != nullptr ? zs.msg : zError(ret)));
    }
    if (produced > 0) {
      w.write(std::string_view(reinterpret_cast<const char*>(out.data()), produced));
    }
    // Z_BUF_ERROR (or Z_OK without output) with all input consumed: the
    // stream ends early.
    if (ret != Z_STREAM_END && zs.avail_in == 0 && in_left == 0 && produced == 0) {
      throw StorageError("corrupt zlib data: truncated stream");
    }
  }
  // Bytes after the end of the zlib stream are ignored, as Python's
  // zlib.decompress (the original server) does; the SHA-256 check below
  // still guards the content.

  // BlobStore is Writer's friend: digest a copy so commit() can finish the
  // real hash; a mismatch throws before anything reaches files/ and the
  // writer's destructor removes the temp file.
  Sha256 copy = w.hash_;
  const std::string actual = copy.hex_digest();
  if (actual != expected_sha256) {
    throw StorageError("SHA-256 mismatch: expected " + std::string(expected_sha256) + ", got " +
                       actual);
  }
  w.commit();
}

std::filesystem::path BlobStore::path_of(std::string_view sha256_hex) const {
  if (!is_sha256_hex(sha256_hex)) {
    throw std::invalid_argument("not a lower-case hex SHA-256: " + std::string(sha256_hex));
  }
  return files_dir_ / std::string(sha256_hex.substr(0, 2)) / std::string(sha256_hex.substr(2));
}

bool BlobStore::contains(std::string_view sha256_hex) const {
  const auto path = path_of(sha256_hex);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_errno("cannot stat", path);
  }
  return S_ISREG(st.st_mode);
}

// ------------------------------------------------------------------- Writer

std::size_t BlobStore::sweep(const std::function<bool(const std::string&)>& referenced,
                             std::chrono::seconds min_age) {
  namespace fs = std::filesystem;
  const auto cutoff = fs::file_time_type::clock::now() - min_age;
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(files_dir_, ec)) {
    if (!dir.is_directory(ec) || dir.path().filename().string().size() != 2) continue;
    for (const auto& blob : fs::directory_iterator(dir.path(), ec)) {
      const std::string sha = dir.path().filename().string() + blob.path().filename().string();
      if (!is_sha256_hex(sha) || !blob.is_regular_file(ec)) continue;
      if (blob.last_write_time(ec) > cutoff || ec) continue;
      if (referenced(sha)) continue;
      if (fs::remove(blob.path(), ec)) ++removed;
    }
  }
  return removed;
}

BlobStore::Writer::Writer(const BlobStore* store, std::filesystem::path temp, int fd)
    : store_(store), temp_(std::move(temp)), fd_(fd) {}

BlobStore::Writer::Writer(Writer&& other) noexcept
    : store_(other.store_),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      hash_(other.hash_),
      size_(other.size_),
      head_(std::move(other.head_)),
      committed_(std::exchange(other.committed_, true)) {
  other.temp_.clear();
}

BlobStore::Writer& BlobStore::Writer::operator=(Writer&& other) noexcept {
  if (this != &other) {
    // Abandon our own blob first, as the destructor would.
    close_quietly(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
    store_ = other.store_;
    temp_ = std::move(other.temp_);
    other.temp_.clear();
    fd_ = std::exchange(other.fd_, -1);
    hash_ = other.hash_;
    size_ = other.size_;
    head_ = std::move(other.head_);
    committed_ = std::exchange(other.committed_, true);
  }
  return *this;
}

BlobStore::Writer::~Writer() {
  close_quietly(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void BlobStore::Writer::write(std::string_view data) {
  if (fd_ < 0) throw StorageError("write to a finished blob writer");
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const std::size_t chunk = std::min<std::size_t>(left, std::size_t{1} << 30);
    const ssize_t n = ::write(fd_, p, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Part of `data` may be on disk but not in the hash: the writer is
      // unusable from here on (and its temp file goes with it).
      const int err = n < 0 ? errno : EIO;
      close_quietly(std::exchange(fd_, -1));
      throw_errno("cannot write", temp_, err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  hash_.update(data);
  size_ += data.size();
  if (head_.size() < kHeadBytes) {
    head_.append(data.substr(0, kHeadBytes - head_.size()));
  }
}

std::string BlobStore::Writer::commit() {
  if (fd_ < 0) throw StorageError("commit of a finished blob writer");
  // The data must be on disk before the rename makes the name visible, or a
  // crash could leave a complete-looking name with missing content.
  if (::fsync(fd_) != 0) {
    const int err = errno;
    ::close(std::exchange(fd_, -1));
    throw_errno("cannot fsync", temp_, err);
  }
  if (::close(std::exchange(fd_, -1)) != 0) throw_errno("cannot close", temp_);

  const std::string hex = hash_.hex_digest();
  const std::filesystem::path dir = store_->files_dir_ / hex.substr(0, 2);
  const std::filesystem::path final_path = dir / hex.substr(2);
  // The two-character directory is created on demand; when this creates it,
  // files/ is fsynced so the new entry survives a crash. (A writer that finds
  // it just created by another thread relies on that thread's fsync, which
  // follows the mkdir immediately.) A second attempt covers a sweep removing
  // an empty subdirectory between our mkdir and rename.
  for (int attempt = 0;; ++attempt) {
    ensure_dir_durably(dir);
    // A blob with this digest has the same bytes; keep it unless its size
    // shows it is damaged, in which case the fresh copy replaces it.
    struct stat st {};
    if (::stat(final_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) == size_) {
      ::unlink(temp_.c_str());
      // Freshen its time so a sweep treats it as young until our File row
      // refers to it.
      ::utimensat(AT_FDCWD, final_path.c_str(), nullptr, 0);
      break;
    }
    if (::rename(temp_.c_str(), final_path.c_str()) == 0) break;
    if (errno != ENOENT || attempt > 0) {
      throw_errno("cannot rename " + temp_.string() + " to", final_path);
    }
  }
  committed_ = true;
  temp_.clear();
  // Makes the rename durable. Also done when the blob existed already: a
  // concurrent writer may have renamed it without having fsynced yet.
  fsync_dir(dir);
  return hex;
}

}  // namespace amarcord::storage
