#include "atomic_replace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include <fmt/format.h>

#include "storage/atomic_file.hpp"
#include "storage/blob_store.hpp"

namespace amarcord::grabber {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& p, int err) {
  throw storage::StorageError(fmt::format("{} {}: {}", what, p.string(), std::strerror(err)));
}

// Removes the temp file unless it was renamed.
struct TempFile {
  std::filesystem::path path;
  int fd = -1;
  bool renamed = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!renamed && !path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

void replace_file(const std::filesystem::path& target, std::string_view data, bool durable) {
  if (durable) {
    storage::AtomicFileWriter writer(target);
    writer.write(data);
    writer.commit();
    return;
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  TempFile temp;
  for (int attempt = 0; attempt < 8 && temp.fd < 0; ++attempt) {
    temp.path = target.parent_path() / fmt::format(".{}.{:016x}.tmp", target.filename().string(),
                                                   static_cast<std::uint64_t>(rng()));
    temp.fd = ::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (temp.fd < 0 && errno != EEXIST) {
      const int err = errno;
      temp.path.clear();
      fail("cannot create", target.parent_path() / ("." + target.filename().string() + ".*.tmp"),
           err);
    }
  }
  if (temp.fd < 0) {
    temp.path.clear();
    fail("cannot create a temp file for", target, EEXIST);
  }
  while (!data.empty()) {
    const ssize_t n = ::write(temp.fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", temp.path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  const int fd = temp.fd;
  temp.fd = -1;
  if (::close(fd) != 0) fail("cannot close", temp.path, errno);
  if (::rename(temp.path.c_str(), target.c_str()) != 0) fail("cannot rename over", target, errno);
  temp.renamed = true;
}

std::optional<std::string_view> temp_target(std::string_view name) {
  // "." + target + "." + random + ".tmp"; our random part is 16 hex digits,
  // but any is accepted so that leftovers of other writers go too.
  if (name.size() < 2 || name.front() != '.' || !name.ends_with(".tmp")) return std::nullopt;
  const std::string_view inner = name.substr(1, name.size() - 5);
  const auto dot = inner.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == inner.size()) return std::nullopt;
  return inner.substr(0, dot);
}

int remove_temps(const std::filesystem::path& dir,
                 const std::function<bool(std::string_view target)>& which) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto target = temp_target(name);
    if (!target || !which(*target)) continue;
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) continue;
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace amarcord::grabber
