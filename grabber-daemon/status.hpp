// What the grabber reports about itself: a JSON status file (replaced
// atomically, no fsync) for the server, UI and tests, and the STATUS= line
// of `systemctl status` (grabber contract).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace amarcord::grabber {

enum class State { starting, idle, connecting, streaming, stalled, backoff, stopping };

const char* to_string(State state);

struct StatusSnapshot {
  State state = State::starting;
  std::optional<std::int64_t> beamtime_id;
  std::string stream_url;                        // password removed
  std::optional<std::int64_t> last_frame_at_ms;  // unix ms of the newest good frame
  std::uint64_t frames_ok = 0;                   // parts that passed the frame check
  std::uint64_t frames_rejected = 0;             // parts that failed it (or were oversize)
  std::uint64_t frames_written = 0;              // sink writes that succeeded
  std::uint64_t reconnects = 0;                  // connection attempts after the first
  std::optional<std::string> last_error;
  std::int64_t pid = 0;
  std::int64_t updated_at_ms = 0;
};

// {"state": ..., "beamtime_id": ..., ...} as in the contract, one line.
std::string status_json(const StatusSnapshot& s);
// "streaming, beamtime 5, frames ok 120 / rejected 2, last frame 0.4 s ago"
std::string status_line(const StatusSnapshot& s);

class StatusReporter {
 public:
  explicit StatusReporter(std::filesystem::path file);  // empty: no file
  // Writes the file (errors are logged once per distinct message) and sends
  // STATUS= to systemd.
  void publish(const StatusSnapshot& s);
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::string last_error_;
};

}  // namespace amarcord::grabber
