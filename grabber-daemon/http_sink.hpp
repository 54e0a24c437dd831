// Sink (b): a grabber on another host posts each image to the server,
// POST <server>/api/live-stream/<id> with the multipart field `file`
// (api-runs-events-files.md F4). One request at a time on a reused handle,
// run by the grabber's curl multi loop so it never stalls the stream; while
// a request is out, newer frames wait in the frame gate (newest wins).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "curl_handles.hpp"

namespace amarcord::grabber {

class HttpSink {
 public:
  struct Result {
    bool ok = false;
    std::string error;
  };

  explicit HttpSink(const std::string& server_url);
  HttpSink(const HttpSink&) = delete;  // libcurl holds pointers into it
  HttpSink& operator=(const HttpSink&) = delete;

  bool busy() const { return busy_; }
  // Prepares the upload (copies `jpeg`); returns the handle to add to the multi.
  CURL* start(std::int64_t beamtime_id, std::string_view jpeg);
  // The upload ended with `result` (handle already removed from the multi).
  Result finish(CURLcode result);
  CURL* handle() const { return easy_.get(); }

 private:
  EasyHandle easy_;
  std::string server_url_;
  std::string url_;
  Slist headers_;
  Mime mime_;
  BodyBuffer body_;
  bool busy_ = false;
};

}  // namespace amarcord::grabber
