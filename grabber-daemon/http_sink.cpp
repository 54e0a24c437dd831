#include "http_sink.hpp"

#include <fmt/format.h>

namespace amarcord::grabber {

HttpSink::HttpSink(const std::string& server_url) : easy_(make_easy()), server_url_(server_url) {
  CURL* h = easy_.get();
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "amarcord-grabber");
  // No "Expect: 100-continue" round trip before each image.
  headers_.reset(curl_slist_append(nullptr, "Expect:"));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_.get());
  body_.cap = 64 * 1024;
  collect_body(h, body_);
}

CURL* HttpSink::start(std::int64_t beamtime_id, std::string_view jpeg) {
  CURL* h = easy_.get();
  url_ = fmt::format("{}/api/live-stream/{}", server_url_, beamtime_id);
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  mime_.reset(curl_mime_init(h));
  curl_mimepart* part = curl_mime_addpart(mime_.get());
  curl_mime_name(part, "file");
  const std::string filename = fmt::format("live-stream-image-{}.jpg", beamtime_id);
  curl_mime_filename(part, filename.c_str());
  curl_mime_type(part, "image/jpeg");
  curl_mime_data(part, jpeg.data(), jpeg.size());  // copies
  curl_easy_setopt(h, CURLOPT_MIMEPOST, mime_.get());
  body_.data.clear();
  busy_ = true;
  return h;
}

HttpSink::Result HttpSink::finish(CURLcode result) {
  busy_ = false;
  Result r;
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  if (result != CURLE_OK) {
    // The generic text, not the detailed buffer (which has timings in it), so
    // that repeats of one failure are recognised.
    r.error = fmt::format("POST {}: {}", url_, curl_easy_strerror(result));
  } else if (status < 200 || status >= 300) {
    std::string body = body_.data.substr(0, 200);
    for (char& c : body)
      if (c == '\n' || c == '\r') c = ' ';
    r.error = fmt::format("POST {}: HTTP {} {}", url_, status, body);
  } else {
    r.ok = true;
  }
  // The copied image is no longer needed.
  curl_easy_setopt(easy_.get(), CURLOPT_MIMEPOST, nullptr);
  mime_.reset();
  return r;
}

}  // namespace amarcord::grabber
