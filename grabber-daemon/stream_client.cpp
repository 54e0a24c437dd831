#include "stream_client.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace amarcord::grabber {
namespace {

using util::trim_view;

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

}  // namespace

StreamClient::StreamClient(Options options, PartHandler on_part)
    : options_(std::move(options)), on_part_(std::move(on_part)), easy_(make_easy()) {
  CURL* h = easy_.get();
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  // Cameras speak HTTP/1.x; some (ESP32) send no status line at all.
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_HTTP09_ALLOWED, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
  if (!options_.user.empty() || !options_.password.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, curl_millis(options_.connect_timeout.count()));
  // A backstop behind the grabber's frame watchdog: less than one byte per
  // second for longer than the stall timeout ends the transfer inside libcurl.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::ceil(options_.stall_timeout.count())) + 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  // Every attempt is a new connection: a camera that misbehaved gets a clean start.
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "amarcord-grabber");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &StreamClient::on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &StreamClient::on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
}

CURL* StreamClient::begin() {
  abandon();
  return easy_.get();
}

void StreamClient::abandon() {
  count_oversize();
  status_ = 0;
  status_line_.clear();
  content_type_.clear();
  body_started_ = false;
  responding_ = false;
  snapshot_ = false;
  snapshot_body_.clear();
  if (snapshot_body_.capacity() > (1u << 20)) std::string().swap(snapshot_body_);
  failure_.clear();
  paused_ = false;
  error_buffer_[0] = '\0';
  parser_.reset();
  parser_oversize_seen_ = 0;
}

StreamClient::Ending StreamClient::finish(CURLcode result) {
  Ending ending;
  try {
    if (parser_) {
      parser_->finish();
    } else if (snapshot_ && result == CURLE_OK && !snapshot_body_.empty()) {
      on_part_(snapshot_body_);
    }
  } catch (const std::exception& e) {
    failure_ = fmt::format("handling the last frame failed: {}", e.what());
  }
  if (!failure_.empty()) {
    ending.error = ending.kind = failure_;
  } else if (result == CURLE_OK && status_ >= 300) {  // an error answer without a body
    ending.error = ending.kind = status_line_;
  } else if (result == CURLE_OK) {
    ending.clean = true;
    ending.error = ending.kind =
        body_started_ ? "the camera ended the stream" : "the camera sent an empty answer";
  } else {
    ending.kind = curl_easy_strerror(result);
    ending.error = error_buffer_[0] ? std::string(error_buffer_) : ending.kind;
  }
  abandon();
  return ending;
}

void StreamClient::resume() {
  if (!paused_) return;
  paused_ = false;
  curl_easy_pause(easy_.get(), CURLPAUSE_CONT);
}

void StreamClient::unpause_discarding() {
  if (!paused_) return;
  discarding_ = true;
  resume();
  discarding_ = false;
  paused_ = false;  // a pause asked for while discarding does not count
}

std::string StreamClient::boundary() const {
  return parser_ ? parser_->boundary() : std::string();
}

void StreamClient::count_oversize() {
  if (!parser_) return;
  const std::uint64_t now = parser_->counters().oversize_parts;
  oversize_total_ += now - parser_oversize_seen_;
  parser_oversize_seen_ = now;
}

std::size_t StreamClient::on_header(char* data, std::size_t size, std::size_t n, void* self) {
  auto* c = static_cast<StreamClient*>(self);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or an auth challenge): forget the last one's headers.
    c->status_line_ = std::string(trim_view(line));
    c->content_type_.clear();
    c->status_ = 0;
    const auto space = line.find(' ');
    if (space != std::string_view::npos) {
      const std::string_view rest = line.substr(space + 1);
      int code = 0;
      std::from_chars(rest.data(), rest.data() + rest.size(), code);
      c->status_ = code;
    }
  } else if (iequals_prefix(line, "content-type:")) {
    c->content_type_ = std::string(trim_view(line.substr(13)));
  } else if (trim_view(line).empty() && c->status_ >= 200 && c->status_ < 300) {
    c->responding_ = true;  // the final answer's headers are complete
  }
  return size * n;
}

bool StreamClient::start_body() {
  body_started_ = true;
  if (status_ >= 300) {  // errors; and a redirect libcurl did not follow
    failure_ = status_line_.empty() ? fmt::format("HTTP {}", status_) : status_line_;
    return false;
  }
  responding_ = true;
  const auto boundary = mjpeg::boundary_from_content_type(content_type_);
  if (!boundary && iequals_prefix(content_type_, "image/jpeg")) {
    snapshot_ = true;
    return true;
  }
  mjpeg::StreamParserOptions po;
  po.boundary = boundary.value_or("");
  po.max_part_bytes = options_.max_part_bytes;
  parser_.emplace(std::move(po), [this](const mjpeg::Part& part) { on_part_(part.body); });
  return true;
}

std::size_t StreamClient::on_body(char* data, std::size_t size, std::size_t n, void* self) {
  auto* c = static_cast<StreamClient*>(self);
  const std::size_t total = size * n;
  if (c->discarding_) return total;
  if (std::chrono::steady_clock::now() >= c->deadline_) {
    c->paused_ = true;  // the same bytes come again after resume()
    return CURL_WRITEFUNC_PAUSE;
  }
  // Nothing may unwind through libcurl's C frames: a failure aborts the transfer.
  try {
    if (!c->body_started_ && !c->start_body()) return 0;
    if (c->snapshot_) {
      if (c->snapshot_body_.size() + total > c->options_.max_part_bytes) {
        ++c->oversize_total_;
        c->failure_ = "single-image answer larger than --max-part-size";
        return 0;
      }
      c->snapshot_body_.append(data, total);
      return total;
    }
    c->parser_->feed(std::string_view(data, total));
    c->count_oversize();
    return total;
  } catch (const std::exception& e) {
    c->failure_ = fmt::format("reading the stream failed: {}", e.what());
    return 0;
  }
}

}  // namespace amarcord::grabber
