// Owning wrappers for libcurl handles, so every path frees them exactly once.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

namespace amarcord::grabber {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using Mime = std::unique_ptr<curl_mime, MimeDeleter>;

inline EasyHandle make_easy() {
  EasyHandle h(curl_easy_init());
  if (!h) throw std::runtime_error("curl_easy_init failed");
  return h;
}

// Milliseconds for libcurl's *_MS options, at least 1 (0 would mean "none").
inline long curl_millis(double seconds) {
  const double ms = seconds * 1000.0;
  return ms < 1.0 ? 1L : ms > 2.0e9 ? 2000000000L : static_cast<long>(ms);
}

// A response body collected up to a cap (a larger answer aborts the
// transfer); install with collect_body().
struct BodyBuffer {
  std::string data;
  std::size_t cap = 1 << 20;

  static std::size_t on_write(char* ptr, std::size_t size, std::size_t n, void* self) {
    auto* b = static_cast<BodyBuffer*>(self);
    const std::size_t total = size * n;
    if (b->data.size() + total > b->cap) return 0;  // CURLE_WRITE_ERROR
    b->data.append(ptr, total);
    return total;
  }
};

inline void collect_body(CURL* h, BodyBuffer& body) {
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &BodyBuffer::on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
}

}  // namespace amarcord::grabber
