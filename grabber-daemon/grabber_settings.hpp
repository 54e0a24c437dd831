// Settings of amarcord-grabber from command line, environment and config
// file (precedence in that order, then defaults), following the server's
// conventions (config/settings.hpp): the same "name = value" file format, one
// table of options for --help, file and environment, and a one-line
// config::ConfigError naming the setting for any invalid value.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "mjpeg/frame_check.hpp"

namespace amarcord::grabber {

using Seconds = std::chrono::duration<double>;

struct GrabberSettings {
  std::string stream_url;  // camera MJPEG URL (http/https), may carry user:pass@
  std::string stream_user;
  std::string stream_password;
  std::filesystem::path data_dir;  // file sink when set
  std::string server_url;          // follower, and the sink when data_dir is empty; no trailing /
  std::optional<std::int64_t> beamtime_id;  // fixed target: no following
  Seconds interval{1.0};                    // at most one sink write per interval; 0 = every frame
  mjpeg::Verify verify = mjpeg::Verify::markers;
  int max_width = 0;  // 0 = no limit
  int max_height = 0;
  std::uint64_t max_part_bytes = 16ull << 20;
  Seconds connect_timeout{10.0};
  Seconds stall_timeout{10.0};
  Seconds backoff_initial{0.5};
  Seconds backoff_max{30.0};
  Seconds follow_interval{5.0};
  std::filesystem::path status_file;  // empty = none
  bool durable = true;                // fsync the live image and its directory
  std::string log_level = "info";
};

enum class GrabberCommand { run, help, version };

struct GrabberInvocation {
  GrabberCommand command = GrabberCommand::run;
  GrabberSettings settings;
  std::string help_text;
};

// Throws config::ConfigError. `env` is injected so tests need not touch the
// process environment.
GrabberInvocation parse_grabber_invocation(int argc, const char* const argv[],
                                           const std::map<std::string, std::string>& env);

// "1", "0.25", "1.5s", "250ms", "2m", "1h" -> seconds; throws std::invalid_argument.
Seconds parse_seconds(const std::string& text);

}  // namespace amarcord::grabber
