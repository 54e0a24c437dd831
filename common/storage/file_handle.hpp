// An open file descriptor, closed when the last owner lets go. Downloads
// keep the descriptor of the file they started with, so a file replaced by
// rename meanwhile is still read whole.
#pragma once

#include <unistd.h>

namespace amarcord::storage {

class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace amarcord::storage
