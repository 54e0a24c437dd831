// Shared pieces of the grabber's end-to-end tests: the test frames, a
// grabber writing into a temp data directory for beamtime 1, and checks on
// the live directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grabber/grabber_process.hpp"
#include "support/fake_camera.hpp"

namespace amarcord::test {

// Four distinct 320x240 frames plus the "\r\n--" frame, made once.
const FrameSet& test_frames();

// A camera playing `script` (adjusted by the caller) at `fps`.
std::unique_ptr<FakeCamera> start_camera(const CameraScript& script, double fps = 0,
                                         std::uint16_t port = 0);

// The settings every test starts from: beamtime 1 into a temp data dir,
// every frame written, fast watchdog and backoff, debug log.
std::map<std::string, std::string> default_settings(const std::string& stream_url,
                                                    const std::filesystem::path& data_dir);

// A grabber on beamtime 1 writing into its own temp data dir. `overrides`
// replace default settings by name (without "--"); a value of "" passes a
// bare flag, "<none>" drops the setting.
class GrabberRun {
 public:
  // `env` adds environment variables (NOTIFY_SOCKET, say).
  GrabberRun(const std::string& stream_url,
             const std::map<std::string, std::string>& overrides = {},
             const std::map<std::string, std::string>& env = {});
  ~GrabberRun();

  GrabberProcess& process() { return *process_; }
  const GrabberProcess& process() const { return *process_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::filesystem::path live_dir() const { return data_dir_ / "live"; }
  std::filesystem::path live_file(long long beamtime = 1) const;
  // The live file's bytes; empty when it does not exist.
  std::string read_live(long long beamtime = 1) const;
  std::optional<GrabberStatus> wait(const std::function<bool(const GrabberStatus&)>& pred,
                                    std::chrono::milliseconds timeout) const {
    return process_->wait_status(pred, timeout);
  }
  // The status now (fails the test when there is none).
  GrabberStatus status() const;
  // Status and log, for INFO when something fails.
  std::string describe() const;

 private:
  std::filesystem::path data_dir_;
  std::unique_ptr<GrabberProcess> process_;
};

// "--name value" pairs from settings, in a stable order.
std::vector<std::string> to_args(const std::map<std::string, std::string>& settings);

// Files in `dir` that look like temp files (a leading "." or ".tmp").
std::vector<std::string> temp_files(const std::filesystem::path& dir);

// Whole seconds as a setting value ("0.1" etc.).
std::string seconds(double s);

std::string read_file_bytes(const std::filesystem::path& p);
long long unix_ms_now();

}  // namespace amarcord::test
