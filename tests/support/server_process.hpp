// Starts the real amarcord-server binary as a child process on port 0 and
// stops it again; the test reads its log and exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace amarcord::test {

std::filesystem::path server_binary();
// A fresh empty directory under the system temp dir, removed by the caller.
std::filesystem::path make_temp_dir(const std::string& tag);

struct ExitStatus {
  int code = -1;   // exit code when exited normally
  int signal = 0;  // signal number when killed
};

class ServerProcess {
 public:
  // Starts `amarcord-server <args> --listen 127.0.0.1:0 --port-file ...` and
  // waits until it listens. Throws std::runtime_error (with the log) if it
  // exits or does not listen within `timeout`.
  static std::unique_ptr<ServerProcess> start(
      std::vector<std::string> args, std::map<std::string, std::string> env = {},
      std::chrono::seconds timeout = std::chrono::seconds(60));
  ~ServerProcess();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const;
  void signal(int sig) const;
  // Sends `sig` and waits for the exit.
  ExitStatus stop(int sig, std::chrono::seconds timeout = std::chrono::seconds(30));
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
  bool exited_ = false;
};

// Runs the binary to completion (for commands that exit: migrate, --help,
// bad settings) and returns its exit status and combined output.
struct RunResult {
  ExitStatus status;
  std::string output;
};
RunResult run_server_command(std::vector<std::string> args,
                             std::map<std::string, std::string> env = {},
                             std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace amarcord::test
