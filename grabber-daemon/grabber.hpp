// The grabber's single-threaded event loop: follow the active beamtime,
// keep one camera connection open while there is one, check every frame,
// write the newest good frame once per interval, reconnect with backoff, and
// report state to the status file and systemd.
//
// All network transfers (camera stream, beamtime list, image upload) run on
// one libcurl multi handle, so none of them blocks another and no thread is
// created per connection. States (grabber contract):
//   starting   until the first beamtime answer (or at once with --beamtime-id)
//   idle       no active beamtime: no camera connection
//   connecting a connection attempt, no good frame on it yet
//   streaming  good frames arrive
//   stalled    connected but no good frame for half the stall timeout; at the
//              full stall timeout the connection is dropped (backoff)
//   backoff    waiting before the next attempt
//   stopping   SIGTERM/SIGINT received
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "backoff.hpp"
#include "beamtime_follower.hpp"
#include "curl_handles.hpp"
#include "file_sink.hpp"
#include "frame_gate.hpp"
#include "grabber_settings.hpp"
#include "http_sink.hpp"
#include "status.hpp"
#include "stream_client.hpp"

namespace amarcord::grabber {

class Grabber {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws (storage::StorageError, std::runtime_error) when it cannot start.
  explicit Grabber(const GrabberSettings& settings);
  ~Grabber();
  Grabber(const Grabber&) = delete;
  Grabber& operator=(const Grabber&) = delete;

  // Runs until `stop_fd` (a signalfd) becomes readable; returns the exit status.
  int run(int stop_fd);

 private:
  void drive_stream(Clock::time_point now);
  void start_connection(Clock::time_point now);
  void drop_connection();  // our decision: remove the handle, discard partial data
  void connection_ended(CURLcode result, Clock::time_point now);
  void enter_backoff(const std::string& error, const std::string& kind, Clock::time_point now);
  void set_target(std::optional<std::int64_t> target, Clock::time_point now);
  void on_part(std::string_view body);
  void count_oversize_parts();
  void reject(const std::string& reason, Clock::time_point now);
  void count_ok(std::int64_t arrival_ms);
  void settle_pending();
  void sink_succeeded();
  void sink_failed(const std::string& error, Clock::time_point now);
  void write_pending(Clock::time_point now);
  void handle_done(CURL* easy, CURLcode result, Clock::time_point now);
  void set_state(State state);
  void publish_status(Clock::time_point now);
  void set_error(const std::string& error);
  Clock::time_point next_wakeup(Clock::time_point now) const;
  void add(CURL* easy);
  void remove(CURL* easy);

  GrabberSettings settings_;
  std::string display_url_;  // password removed
  Clock::duration stall_timeout_;
  MultiHandle multi_;
  std::unique_ptr<StreamClient> stream_;
  std::unique_ptr<BeamtimeFollower> follower_;  // null with --beamtime-id
  std::unique_ptr<FileSink> file_sink_;         // --data-dir
  std::unique_ptr<HttpSink> http_sink_;         // --server-url without --data-dir
  StatusReporter reporter_;
  Backoff backoff_;
  FrameGate gate_;

  State state_ = State::starting;
  std::optional<std::int64_t> target_;
  bool follower_answered_ = false;
  std::string follower_error_;  // last logged follower failure, "" while it works

  // Current connection.
  bool connected_ = false;  // stream handle is in the multi
  Clock::time_point conn_started_{};
  Clock::time_point conn_last_good_{};
  std::uint64_t conn_good_ = 0;
  std::string last_reject_reason_;
  Clock::time_point retry_at_{};
  std::uint64_t prev_conn_good_ = 0;  // good frames of the connection before
  // Log throttle of reconnect cycles: the same failure again within
  // kFailureSummary makes the cycle "quiet" (debug lines only).
  std::string last_failure_kind_;
  Clock::time_point last_failure_log_{};
  std::uint64_t failures_since_log_ = 0;
  bool quiet_ = false;

  // Counters (status file).
  std::uint64_t frames_ok_ = 0;
  std::uint64_t frames_rejected_ = 0;
  std::uint64_t frames_written_ = 0;
  std::uint64_t attempts_ = 0;
  std::uint64_t oversize_seen_ = 0;
  std::optional<std::int64_t> last_frame_at_ms_;
  std::optional<std::string> last_error_;

  // Log throttles (never one line per frame).
  std::string logged_reject_;
  Clock::time_point logged_reject_at_{};
  std::string logged_sink_error_;
  Clock::time_point logged_sink_error_at_{};

  std::string write_buffer_;  // the frame being written
  // --verify decode: the frame waiting in the gate is not counted yet.
  bool pending_unverified_ = false;
  std::int64_t pending_arrival_ms_ = 0;
  Clock::time_point next_status_{};
  std::optional<Clock::duration> watchdog_ping_;
  Clock::time_point next_ping_{};
};

}  // namespace amarcord::grabber
