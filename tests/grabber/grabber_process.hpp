// Runs the real amarcord-grabber binary as a child process and reads what it
// publishes: the status file (grabber-contract.md) and, from /proc, its file
// descriptors, threads, memory and CPU time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace amarcord::test {

std::filesystem::path grabber_binary();

// The status file, parsed. Parsing checks every field of the contract is
// present with the right type and throws std::runtime_error (with the text)
// when one is not.
struct GrabberStatus {
  std::string state;
  std::optional<long long> beamtime_id;
  std::string stream_url;
  std::optional<long long> last_frame_at;  // unix ms
  long long frames_ok = 0;
  long long frames_rejected = 0;
  long long frames_written = 0;
  long long reconnects = 0;
  std::optional<std::string> last_error;
  long long pid = 0;
  long long updated_at = 0;  // unix ms
  std::string text;          // the file as read
};
GrabberStatus parse_grabber_status(const std::string& text);

// What /proc says about a process.
struct ProcSample {
  int fds = 0;
  int threads = 0;
  long rss_kib = 0;        // VmRSS
  long peak_kib = 0;       // VmHWM
  double cpu_seconds = 0;  // utime + stime
};
ProcSample sample_process(pid_t pid);

class GrabberProcess {
 public:
  // Starts `amarcord-grabber <args>` with stdout+stderr to a log file.
  // `status_file` is where the test expects the status (the default one or
  // the --status-file it passed). AMARCORD_* and systemd variables of the
  // test's own environment are not passed on; `env` adds variables.
  static std::unique_ptr<GrabberProcess> start(std::vector<std::string> args,
                                               std::filesystem::path status_file,
                                               std::map<std::string, std::string> env = {});
  ~GrabberProcess();  // SIGKILL if still running

  pid_t pid() const { return pid_; }
  std::string log() const;
  // nullopt while the file does not exist.
  std::optional<GrabberStatus> status() const;
  // Polls the status every 5 ms until `pred` holds; nullopt at the timeout.
  std::optional<GrabberStatus> wait_status(const std::function<bool(const GrabberStatus&)>& pred,
                                           std::chrono::milliseconds timeout) const;
  void signal(int sig) const;
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  bool exited() const { return exited_; }

 private:
  GrabberProcess() = default;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::filesystem::path dir_;  // log and working directory
  std::filesystem::path status_file_;
};

// Runs the binary to completion (bad settings, --help).
RunResult run_grabber_command(std::vector<std::string> args,
                              std::chrono::seconds timeout = std::chrono::seconds(20));

// Calls `done` every `step` until it returns true; false at the timeout.
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(5));

}  // namespace amarcord::test
