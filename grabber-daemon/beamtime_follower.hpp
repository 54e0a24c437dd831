// Which beamtime the grabber works for: asks the server (GET /api/beamtimes)
// every follow interval. Active = start <= now < end (true UTC epoch ms);
// with several active the latest start wins. The request runs on the
// grabber's curl multi handle, so it never blocks the stream.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "curl_handles.hpp"

namespace amarcord::grabber {

// The active beamtime in a `{"beamtimes": [...]}` answer, nullopt when none
// is active. Entries without usable id/start/end are skipped. Throws
// std::runtime_error when the answer is not such a list.
std::optional<std::int64_t> active_beamtime(std::string_view json_body, std::int64_t now_utc_ms);

class BeamtimeFollower {
 public:
  using Clock = std::chrono::steady_clock;

  struct Answer {
    bool ok = false;                     // the server answered with a beamtime list
    std::optional<std::int64_t> active;  // when ok
    std::string error;                   // when not ok
  };

  BeamtimeFollower(const std::string& server_url, std::chrono::duration<double> interval);
  BeamtimeFollower(const BeamtimeFollower&) = delete;  // libcurl holds pointers into it
  BeamtimeFollower& operator=(const BeamtimeFollower&) = delete;

  bool in_flight() const { return in_flight_; }
  Clock::time_point next_due() const { return next_due_; }
  // Prepares the next request and returns the handle to add to the multi.
  CURL* start(Clock::time_point now);
  // The transfer of handle() ended with `result` (handle already removed).
  Answer finish(CURLcode result, Clock::time_point now);
  CURL* handle() const { return easy_.get(); }

 private:
  EasyHandle easy_;
  std::string url_;
  Clock::duration interval_;
  Clock::time_point next_due_{};
  bool in_flight_ = false;
  BodyBuffer body_;
};

}  // namespace amarcord::grabber
