#include "beamtime_follower.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

namespace amarcord::grabber {
namespace {

// An integer-valued JSON number (the server writes ints; tolerate doubles).
std::optional<std::int64_t> as_int(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 9.0e18)
    return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> active_beamtime(std::string_view json_body, std::int64_t now_utc_ms) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(json_body, ec);
  if (ec) throw std::runtime_error("beamtime list is not JSON: " + ec.message());
  const auto* root = doc.if_object();
  const auto* list = root ? root->if_contains("beamtimes") : nullptr;
  if (list == nullptr || !list->is_array()) {
    throw std::runtime_error("beamtime list has no \"beamtimes\" array");
  }
  std::optional<std::int64_t> best_id;
  std::int64_t best_start = 0;
  for (const auto& entry : list->get_array()) {
    const auto* o = entry.if_object();
    if (o == nullptr) continue;
    const auto id = as_int(o->if_contains("id"));
    const auto start = as_int(o->if_contains("start"));
    const auto end = as_int(o->if_contains("end"));
    if (!id || !start || !end) continue;
    if (!(*start <= now_utc_ms && now_utc_ms < *end)) continue;
    // Latest start wins; equal starts: the larger (newer) id, so the choice
    // does not depend on the order of the list.
    if (!best_id || *start > best_start || (*start == best_start && *id > *best_id)) {
      best_id = *id;
      best_start = *start;
    }
  }
  return best_id;
}

BeamtimeFollower::BeamtimeFollower(const std::string& server_url,
                                   std::chrono::duration<double> interval)
    : easy_(make_easy()),
      url_(server_url + "/api/beamtimes"),
      interval_(std::chrono::duration_cast<Clock::duration>(interval)) {
  CURL* h = easy_.get();
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "amarcord-grabber");
  body_.cap = 64u << 20;
  collect_body(h, body_);
}

CURL* BeamtimeFollower::start(Clock::time_point now) {
  body_.data.clear();
  in_flight_ = true;
  next_due_ = now + interval_;
  return easy_.get();
}

BeamtimeFollower::Answer BeamtimeFollower::finish(CURLcode result, Clock::time_point now) {
  in_flight_ = false;
  // A slow answer must not make the next question come early.
  next_due_ = std::max(next_due_, now + interval_ / 4);
  Answer answer;
  if (result != CURLE_OK) {
    // The generic text, not the detailed buffer (which has timings in it), so
    // that a server that stays down is reported once.
    answer.error = fmt::format("GET {}: {}", url_, curl_easy_strerror(result));
    return answer;
  }
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    answer.error = fmt::format("GET {}: HTTP {}", url_, status);
    return answer;
  }
  try {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    answer.active = active_beamtime(body_.data, now_ms);
    answer.ok = true;
  } catch (const std::exception& e) {
    answer.error = fmt::format("GET {}: {}", url_, e.what());
  }
  // The buffer may have grown for a large list; do not keep it.
  if (body_.data.capacity() > (1u << 20)) std::string().swap(body_.data);
  return answer;
}

}  // namespace amarcord::grabber
