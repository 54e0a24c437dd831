// A Beast body that sends a byte range of an open file with pread(2), so
// downloads stream in constant memory and Range requests need no copy.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include "storage/file_handle.hpp"

namespace amarcord::http {

struct FileSlice {
  std::shared_ptr<const storage::FileHandle> file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct FileSliceBody {
  using value_type = FileSlice;

  static std::uint64_t size(const value_type& v) { return v.length; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
        : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec);

   private:
    const value_type& body_;
    std::uint64_t sent_ = 0;
    std::unique_ptr<std::array<char, 256 * 1024>> buffer_;
  };
};

}  // namespace amarcord::http
