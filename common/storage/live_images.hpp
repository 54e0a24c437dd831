// The live camera image of each beamtime: DATA_DIR/live/live-stream-image-<id>
// (design.md §4). The server (POST /api/live-stream/<id>) and the grabber
// daemon both replace it atomically; readers take a snapshot by opening it,
// so metadata always comes from the file itself, never from a cache that a
// replacement behind the server's back would make stale.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "domain/time.hpp"
#include "storage/atomic_file.hpp"
#include "storage/file_handle.hpp"

namespace amarcord::storage {

struct LiveImage {
  std::shared_ptr<const FileHandle> file;  // the opened inode
  std::uint64_t size = 0;
  domain::Instant modified;
  std::string sha256;
  std::string head;  // first bytes, for content sniffing
};

class LiveImages {
 public:
  explicit LiveImages(const std::filesystem::path& data_dir);

  static std::string file_name(std::int64_t beamtime_id);  // "live-stream-image-<id>"
  // The beamtime of a live image's File name, if `name` is one.
  static std::optional<std::int64_t> beamtime_of(const std::string& name);

  std::filesystem::path path_of(std::int64_t beamtime_id) const;
  AtomicFileWriter begin(std::int64_t beamtime_id) const;
  // A consistent view of the current image, or nullopt when there is none.
  std::optional<LiveImage> open(std::int64_t beamtime_id) const;

 private:
  std::filesystem::path dir_;
  // SHA-256 by (device, inode, size, mtime, ctime). Inode numbers are reused
  // and mtime can be set by the writer (cp -p), but ctime cannot: a later
  // file has a later ctime, provided the clock tick of the hashed file's
  // ctime had passed when it was hashed (see open()).
  using DigestKey =
      std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t>;
  mutable std::mutex mutex_;
  mutable std::map<DigestKey, std::string> digests_;
};

}  // namespace amarcord::storage
