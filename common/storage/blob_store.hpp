// Content-addressed file blobs under the data directory (design.md §4):
// DATA_DIR/files/ab/cdef... named by the SHA-256 of their bytes. A blob is
// written to DATA_DIR/tmp, fsynced, and renamed into place, so readers see
// a complete blob or none, also after a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/sha256.hpp"

namespace amarcord::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlobStore {
 public:
  // Creates DATA_DIR/files and DATA_DIR/tmp when missing; removes temp files
  // a previous process left behind.
  explicit BlobStore(std::filesystem::path data_dir);

  // A blob being written. Destroying an uncommitted writer deletes its temp
  // file.
  class Writer {
   public:
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;
    ~Writer();
    void write(std::string_view data);  // throws StorageError on I/O errors
    std::uint64_t size() const { return size_; }
    // The first bytes written (up to 64 KiB), for content sniffing.
    const std::string& head() const { return head_; }
    // fsync, rename to the blob's final path (if a blob with the same digest
    // exists already, the temp file is dropped), fsync the directory.
    // Returns the lower-case hex SHA-256.
    std::string commit();

   private:
    friend class BlobStore;
    Writer(const BlobStore* store, std::filesystem::path temp, int fd);
    const BlobStore* store_;
    std::filesystem::path temp_;
    int fd_ = -1;
    Sha256 hash_;
    std::uint64_t size_ = 0;
    std::string head_;
    bool committed_ = false;
  };

  Writer begin();
  // Stores bytes from memory (small files, copies of database contents).
  std::string put(std::string_view data);
  // Stores the bytes of an original AMARCORD File row: `contents` is a zlib
  // stream when `zlib_compressed` (inflated while streaming to disk). Throws
  // StorageError when the result's SHA-256 differs from `expected_sha256`.
  void put_original(std::string_view contents, bool zlib_compressed,
                    std::string_view expected_sha256);

  bool contains(std::string_view sha256_hex) const;

  // Removes blobs that `referenced` does not claim and that are older than
  // `min_age` (a blob is committed before its File row, so young blobs may be
  // about to become referenced). Returns the number of blobs removed.
  std::size_t sweep(const std::function<bool(const std::string& sha256_hex)>& referenced,
                    std::chrono::seconds min_age);
  std::filesystem::path path_of(std::string_view sha256_hex) const;
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path files_dir_;
  std::filesystem::path tmp_dir_;
};

}  // namespace amarcord::storage
