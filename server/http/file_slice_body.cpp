#include "http/file_slice_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace amarcord::http {

boost::optional<std::pair<FileSliceBody::writer::const_buffers_type, bool>>
FileSliceBody::writer::get(boost::beast::error_code& ec) {
  ec = {};
  if (sent_ >= body_.length) return boost::none;
  if (!buffer_) buffer_ = std::make_unique<std::array<char, 256 * 1024>>();
  const auto want =
      static_cast<std::size_t>(std::min<std::uint64_t>(buffer_->size(), body_.length - sent_));
  ssize_t n = 0;
  do {
    n = ::pread(body_.file->fd(), buffer_->data(), want, static_cast<off_t>(body_.offset + sent_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    ec = boost::beast::error_code(errno, boost::system::system_category());
    return boost::none;
  }
  if (n == 0) {  // the file shrank under us
    ec = boost::beast::error_code(EIO, boost::system::system_category());
    return boost::none;
  }
  sent_ += static_cast<std::uint64_t>(n);
  return std::make_pair(const_buffers_type(buffer_->data(), static_cast<std::size_t>(n)),
                        sent_ < body_.length);
}

}  // namespace amarcord::http
