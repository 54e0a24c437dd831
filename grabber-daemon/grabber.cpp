#include "grabber.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "atomic_replace.hpp"
#include "mjpeg/frame_check.hpp"
#include "service/sd_notify.hpp"
#include "url_redaction.hpp"
#include "util/log.hpp"

namespace amarcord::grabber {
namespace {

using namespace std::chrono_literals;
using Clock = Grabber::Clock;

constexpr auto kStatusEvery = 1s;        // the contract asks for at least every 2 s
constexpr auto kLongestPoll = 250ms;     // upper bound of every timer's lateness
constexpr auto kStreamSlice = 50ms;      // longest stretch of frame handling between turns
constexpr auto kRepeatLogEvery = 60s;    // an unchanged error is logged again after this
constexpr auto kFailureSummary = 10min;  // a camera that stays down: one line per this

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A line at a level chosen at run time (log::write itself does not filter).
void log_at(log::Level level, const std::string& message) {
  if (log::level() <= level) log::write(level, message);
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

Grabber::Grabber(const GrabberSettings& settings)
    : settings_(settings),
      display_url_(redact_password(settings.stream_url)),
      stall_timeout_(std::chrono::duration_cast<Clock::duration>(settings.stall_timeout)),
      multi_(curl_multi_init()),
      reporter_(settings.status_file),
      backoff_(settings.backoff_initial, settings.backoff_max),
      gate_(std::chrono::duration_cast<Clock::duration>(settings.interval)) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  StreamClient::Options options;
  options.url = settings.stream_url;
  options.user = settings.stream_user;
  options.password = settings.stream_password;
  options.connect_timeout = settings.connect_timeout;
  options.stall_timeout = settings.stall_timeout;
  options.max_part_bytes = static_cast<std::size_t>(settings.max_part_bytes);
  stream_ = std::make_unique<StreamClient>(std::move(options),
                                           [this](std::string_view body) { on_part(body); });
  if (!settings.beamtime_id) {
    follower_ = std::make_unique<BeamtimeFollower>(settings.server_url, settings.follow_interval);
  }
  if (!settings.data_dir.empty()) {
    file_sink_ = std::make_unique<FileSink>(settings.data_dir, settings.durable);
    if (const int n = file_sink_->remove_stale_temps(std::nullopt); n > 0) {
      log::info("removed {} stale temp file(s) from {}", n, file_sink_->live_dir().string());
    }
  } else {
    http_sink_ = std::make_unique<HttpSink>(settings.server_url);
  }
  if (!settings.status_file.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(settings.status_file.parent_path(), ec);
    const std::string name = settings.status_file.filename().string();
    remove_temps(settings.status_file.parent_path(),
                 [&](std::string_view target) { return target == name; });
  }
  if (const auto interval = service::sd_watchdog_interval()) watchdog_ping_ = *interval / 2;
}

Grabber::~Grabber() {
  // Easy handles leave the multi before anything is freed.
  drop_connection();
  if (follower_ && follower_->in_flight()) remove(follower_->handle());
  if (http_sink_ && http_sink_->busy()) remove(http_sink_->handle());
}

void Grabber::add(CURL* easy) {
  if (const CURLMcode rc = curl_multi_add_handle(multi_.get(), easy); rc != CURLM_OK) {
    throw std::runtime_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
}

void Grabber::remove(CURL* easy) {
  curl_multi_remove_handle(multi_.get(), easy);
}

int Grabber::run(int stop_fd) {
  auto now = Clock::now();
  log::info("amarcord-grabber started: camera {}, {}, images to {}", display_url_,
            follower_ ? fmt::format("following the active beamtime of {}", settings_.server_url)
                      : fmt::format("beamtime {}", *settings_.beamtime_id),
            file_sink_ ? file_sink_->live_dir().string()
                       : settings_.server_url + "/api/live-stream/<id>");
  publish_status(now);
  service::sd_notify("READY=1");
  if (settings_.beamtime_id) set_target(settings_.beamtime_id, now);
  next_ping_ = now;

  int stop_signal = 0;
  while (stop_signal == 0) {
    now = Clock::now();
    if (follower_ && !follower_->in_flight() && now >= follower_->next_due()) {
      add(follower_->start(now));
    }
    drive_stream(now);
    if (gate_.due(now)) write_pending(now);
    if (now >= next_status_) publish_status(now);
    if (watchdog_ping_ && now >= next_ping_) {
      service::sd_notify("WATCHDOG=1");
      next_ping_ = now + *watchdog_ping_;
    }

    // A stream paused at the end of its last slice goes on now; if it pauses
    // again at once, more is waiting and the poll must not sleep.
    if (connected_ && stream_->paused()) {
      stream_->set_deadline(Clock::now() + kStreamSlice);
      stream_->resume();
    }
    const auto wait = stream_->paused() ? Clock::duration::zero() : next_wakeup(now) - Clock::now();
    const long timeout_ms = std::clamp<long>(
        static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()), 0L,
        static_cast<long>(std::chrono::milliseconds(kLongestPoll).count()));
    curl_waitfd stop_wait{stop_fd, CURL_WAIT_POLLIN, 0};
    curl_multi_poll(multi_.get(), &stop_wait, 1, static_cast<int>(timeout_ms), nullptr);
    if (stop_wait.revents != 0) {
      signalfd_siginfo info{};
      const ssize_t n = ::read(stop_fd, &info, sizeof info);
      stop_signal = n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : -1;
    }
    int running = 0;
    stream_->set_deadline(Clock::now() + kStreamSlice);
    curl_multi_perform(multi_.get(), &running);
    count_oversize_parts();
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      // Copy before removing: the message does not survive the removal.
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      remove(easy);
      handle_done(easy, result, Clock::now());
    }
  }

  now = Clock::now();
  log::info("stopping ({})", stop_signal > 0 ? strsignal(stop_signal) : "stop requested");
  service::sd_notify("STOPPING=1");
  set_state(State::stopping);
  drop_connection();
  settle_pending();
  if (follower_ && follower_->in_flight()) {
    remove(follower_->handle());
    follower_->finish(CURLE_ABORTED_BY_CALLBACK, now);
  }
  if (http_sink_ && http_sink_->busy()) {
    remove(http_sink_->handle());
    http_sink_->finish(CURLE_ABORTED_BY_CALLBACK);
  }
  // Our writes are synchronous, so none of our temps can be left; this only
  // tidies up after a killed predecessor that wrote the same image.
  if (file_sink_ && target_) file_sink_->remove_stale_temps(target_);
  publish_status(now);
  log::info("stopped: {} frames ok, {} rejected, {} written, {} reconnects", frames_ok_,
            frames_rejected_, frames_written_, attempts_ > 0 ? attempts_ - 1 : 0);
  return 0;
}

void Grabber::drive_stream(Clock::time_point now) {
  if (!target_) {
    drop_connection();
    if (!follower_ || follower_answered_) set_state(State::idle);
    return;
  }
  if (connected_) {
    const auto quiet = now - (conn_good_ > 0 ? conn_last_good_ : conn_started_);
    if (quiet >= stall_timeout_) {
      std::string error =
          conn_good_ > 0
              ? fmt::format("stalled: no good frame for {:.1f} s", seconds(quiet))
              : fmt::format("no good frame within {:.1f} s of connecting", seconds(quiet));
      if (!last_reject_reason_.empty()) {
        error += fmt::format(" (last rejected frame: {})", last_reject_reason_);
      }
      set_state(State::stalled);
      drop_connection();
      enter_backoff(error, "stall", now);
    } else if ((conn_good_ > 0 || stream_->responding()) && quiet >= stall_timeout_ / 2 &&
               state_ != State::stalled) {
      log_at(quiet_ ? log::Level::debug : log::Level::warn,
             fmt::format("stalled: no good frame for {:.1f} s on beamtime {}'s camera connection",
                         seconds(quiet), *target_));
      set_state(State::stalled);
    }
    return;
  }
  if (state_ == State::backoff && now < retry_at_) return;
  start_connection(now);
}

void Grabber::start_connection(Clock::time_point now) {
  ++attempts_;
  prev_conn_good_ = conn_good_;
  conn_started_ = now;
  conn_last_good_ = now;
  conn_good_ = 0;
  last_reject_reason_.clear();
  add(stream_->begin());
  connected_ = true;
  if (quiet_) {
    log::debug("connecting to {} for beamtime {} (attempt {})", display_url_, *target_, attempts_);
  } else {
    log::info("connecting to {} for beamtime {}", display_url_, *target_);
  }
  set_state(State::connecting);
}

void Grabber::drop_connection() {
  if (!connected_) return;
  stream_->unpause_discarding();
  remove(stream_->handle());
  stream_->abandon();
  connected_ = false;
}

void Grabber::connection_ended(CURLcode result, Clock::time_point now) {
  connected_ = false;
  const StreamClient::Ending ending = stream_->finish(result);  // may hand out a last frame
  count_oversize_parts();
  std::string error = ending.error;
  if (conn_good_ > 0) error += fmt::format(" after {} good frames", conn_good_);
  enter_backoff(error, ending.kind, now);
}

void Grabber::enter_backoff(const std::string& error, const std::string& kind,
                            Clock::time_point now) {
  const auto wait = backoff_.next();
  retry_at_ = now + std::chrono::duration_cast<Clock::duration>(wait);
  set_error(error);
  // The same failure again (a camera that stays down, or one that closes
  // after every frame) is logged once per kFailureSummary, with a count,
  // and the reconnect cycles in between log at debug level only.
  quiet_ = kind == last_failure_kind_ && now - last_failure_log_ < kFailureSummary;
  if (quiet_) {
    ++failures_since_log_;
    log::debug("camera connection: {}; retrying in {:.2f} s", error, wait.count());
  } else {
    log::warn("camera connection for beamtime {}: {}{}; retrying in {:.2f} s", *target_, error,
              failures_since_log_ > 0 && kind == last_failure_kind_
                  ? fmt::format(" (and {} times more since the last report)", failures_since_log_)
                  : std::string(),
              wait.count());
    last_failure_kind_ = kind;
    last_failure_log_ = now;
    failures_since_log_ = 0;
  }
  set_state(State::backoff);
}

void Grabber::set_target(std::optional<std::int64_t> target, Clock::time_point now) {
  if (target == target_) return;
  if (target) {
    log::info("beamtime {} is {}", *target, settings_.beamtime_id ? "the fixed target" : "active");
  } else {
    log::info("no active beamtime: closing the camera connection");
  }
  drop_connection();
  settle_pending();
  gate_.clear();
  target_ = target;
  retry_at_ = now;  // a new target connects at once, without waiting out a backoff
  last_failure_kind_.clear();
  failures_since_log_ = 0;
  quiet_ = false;
  prev_conn_good_ = 0;
}

void Grabber::on_part(std::string_view body) {
  const auto now = Clock::now();
  count_oversize_parts();
  const mjpeg::FrameVerdict verdict = mjpeg::check_frame(body, mjpeg::Verify::markers);
  if (!verdict.ok) {
    reject(verdict.reason, now);
    return;
  }
  // With --verify decode a frame's verdict is final only when it is decoded
  // (just before it is written) or known never to be (a newer frame took its
  // place): it is counted then, so that ok + rejected counts each part once.
  const std::int64_t arrival_ms = unix_ms();
  const bool defer = settings_.verify == mjpeg::Verify::decode && target_.has_value();
  if (!defer) count_ok(arrival_ms);
  conn_last_good_ = now;
  if (++conn_good_ == 1) {
    backoff_.reset();
    if (!target_) return;
    // Streaming again after a failed attempt is news; another round of a
    // camera that delivers and then closes is not.
    const std::string boundary = stream_->boundary();
    log_at(quiet_ && prev_conn_good_ > 0 ? log::Level::debug : log::Level::info,
           fmt::format("streaming beamtime {}{}", *target_,
                       boundary.empty() ? std::string(" (single image)")
                                        : fmt::format(" (boundary \"{}\")", boundary)));
  }
  set_state(State::streaming);
  if (!target_) return;
  if (defer) {
    settle_pending();
    pending_unverified_ = true;
    pending_arrival_ms_ = arrival_ms;
  }
  gate_.offer(verdict.jpeg);
  // The file sink writes at once (fast, and exact for --interval 0); the
  // HTTP sink is started from the loop.
  if (file_sink_ && gate_.due(now)) write_pending(now);
}

void Grabber::count_ok(std::int64_t arrival_ms) {
  ++frames_ok_;
  last_frame_at_ms_ = std::max(last_frame_at_ms_.value_or(arrival_ms), arrival_ms);
}

void Grabber::settle_pending() {
  if (!pending_unverified_) return;
  pending_unverified_ = false;
  count_ok(pending_arrival_ms_);  // passed the marker check and will not be decoded
}

void Grabber::reject(const std::string& reason, Clock::time_point now) {
  ++frames_rejected_;
  last_reject_reason_ = reason;
  if (reason != logged_reject_ || now - logged_reject_at_ >= kRepeatLogEvery) {
    log::warn("frame rejected: {} ({} rejected so far)", reason, frames_rejected_);
    logged_reject_ = reason;
    logged_reject_at_ = now;
  }
}

void Grabber::count_oversize_parts() {
  const std::uint64_t total = stream_->oversize_parts();
  if (total <= oversize_seen_) return;
  const std::uint64_t fresh = total - oversize_seen_;
  oversize_seen_ = total;
  const auto now = Clock::now();
  for (std::uint64_t i = 0; i < fresh; ++i)
    reject(fmt::format("part larger than --max-part-size ({} bytes)", settings_.max_part_bytes),
           now);
}

void Grabber::write_pending(Clock::time_point now) {
  if (!target_) {
    settle_pending();
    gate_.clear();
    return;
  }
  if (http_sink_ && http_sink_->busy()) return;  // the newest frame waits in the gate
  gate_.take(write_buffer_, now);
  std::string_view jpeg = write_buffer_;
  if (settings_.verify == mjpeg::Verify::decode) {
    const bool counted = !pending_unverified_;
    pending_unverified_ = false;
    const mjpeg::FrameVerdict verdict = mjpeg::check_frame(jpeg, mjpeg::Verify::decode);
    if (!verdict.ok) {
      reject(verdict.reason, now);  // the previous good image stays
      return;
    }
    if (!counted) count_ok(pending_arrival_ms_);
    jpeg = verdict.jpeg;
  }
  std::optional<std::string> scaled;
  if (settings_.max_width > 0 || settings_.max_height > 0) {
    try {
      scaled = mjpeg::downscale_jpeg(jpeg, settings_.max_width > 0 ? settings_.max_width : INT_MAX,
                                     settings_.max_height > 0 ? settings_.max_height : INT_MAX);
    } catch (const std::exception& e) {
      reject(fmt::format("cannot scale: {}", e.what()), now);
      return;
    }
    if (scaled) jpeg = *scaled;
  }
  if (file_sink_) {
    try {
      file_sink_->write(*target_, jpeg);
      sink_succeeded();
    } catch (const std::exception& e) {
      sink_failed(e.what(), now);
    }
  } else {
    add(http_sink_->start(*target_, jpeg));
  }
}

void Grabber::sink_succeeded() {
  ++frames_written_;
  if (!logged_sink_error_.empty()) {
    log::info("writing the live image works again");
    logged_sink_error_.clear();
  }
}

void Grabber::sink_failed(const std::string& error, Clock::time_point now) {
  set_error(error);
  if (error != logged_sink_error_ || now - logged_sink_error_at_ >= kRepeatLogEvery) {
    log::error("cannot write the live image: {}", error);
    logged_sink_error_ = error;
    logged_sink_error_at_ = now;
  }
}

void Grabber::handle_done(CURL* easy, CURLcode result, Clock::time_point now) {
  if (easy == stream_->handle()) {
    connection_ended(result, now);
  } else if (follower_ && easy == follower_->handle()) {
    const BeamtimeFollower::Answer answer = follower_->finish(result, now);
    follower_answered_ = true;
    if (answer.ok) {
      if (!follower_error_.empty()) {
        log::info("the server answers again");
        follower_error_.clear();
      }
      set_target(answer.active, now);
    } else {
      if (answer.error != follower_error_) {
        log::warn("cannot ask for the active beamtime: {}; {}", answer.error,
                  target_ ? fmt::format("staying with beamtime {}", *target_)
                          : std::string("no beamtime yet"));
        follower_error_ = answer.error;
      }
      set_error(answer.error);
    }
  } else if (http_sink_ && easy == http_sink_->handle()) {
    const HttpSink::Result r = http_sink_->finish(result);
    if (r.ok)
      sink_succeeded();
    else
      sink_failed(r.error, now);
  }
}

void Grabber::set_state(State state) {
  if (state == state_) return;
  log::debug("state {} -> {}", to_string(state_), to_string(state));
  state_ = state;
  publish_status(Clock::now());
}

void Grabber::set_error(const std::string& error) {
  last_error_ = error;
}

void Grabber::publish_status(Clock::time_point now) {
  StatusSnapshot s;
  s.state = state_;
  s.beamtime_id = target_;
  s.stream_url = display_url_;
  s.last_frame_at_ms = last_frame_at_ms_;
  s.frames_ok = frames_ok_;
  s.frames_rejected = frames_rejected_;
  s.frames_written = frames_written_;
  s.reconnects = attempts_ > 0 ? attempts_ - 1 : 0;
  s.last_error = last_error_;
  s.pid = static_cast<std::int64_t>(::getpid());
  s.updated_at_ms = unix_ms();
  reporter_.publish(s);
  next_status_ = now + kStatusEvery;
}

Clock::time_point Grabber::next_wakeup(Clock::time_point now) const {
  Clock::time_point wake = now + kLongestPoll;
  // Only future deadlines count: one that passed is handled at the next
  // turn, and a past one here would make the loop spin.
  auto consider = [&](Clock::time_point t) {
    if (t > now && t < wake) wake = t;
  };
  consider(next_status_);
  if (watchdog_ping_) consider(next_ping_);
  if (follower_ && !follower_->in_flight()) consider(follower_->next_due());
  if (gate_.has_pending() && !(http_sink_ && http_sink_->busy())) consider(gate_.next_write_at());
  if (connected_) {
    const auto since = conn_good_ > 0 ? conn_last_good_ : conn_started_;
    consider(since + stall_timeout_ / 2);
    consider(since + stall_timeout_);
  } else if (state_ == State::backoff) {
    consider(retry_at_);
  }
  return wake;
}

}  // namespace amarcord::grabber
