#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace amarcord::test {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec with the given environment additions; stdout and stderr go to
// `log`.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::filesystem::path& log, const std::filesystem::path& cwd) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    const auto name = kv.substr(0, kv.find('='));
    if (!env.count(name)) envs.push_back(kv);
  }
  for (const auto& [k, v] : env)
    envs.push_back(k + "=" + v);
  std::vector<char*> argv;
  std::string bin = server_binary().string();
  argv.push_back(bin.data());
  std::vector<std::string> args_copy = args;
  for (auto& a : args_copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : envs)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

std::optional<ExitStatus> wait_pid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode(status);
    if (r < 0) return ExitStatus{};
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::filesystem::path server_binary() {
  if (const char* p = std::getenv("AMARCORD_SERVER_BIN")) return p;
  return AMARCORD_SERVER_PATH;
}

std::filesystem::path make_temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("amarcord-test-" + tag + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter.fetch_add(1)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::unique_ptr<ServerProcess> ServerProcess::start(std::vector<std::string> args,
                                                    std::map<std::string, std::string> env,
                                                    std::chrono::seconds timeout) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->dir_ = make_temp_dir("server");
  const auto port_file = p->dir_ / "port";
  bool has_listen = false;
  for (const auto& a : args)
    has_listen = has_listen || a.starts_with("--listen");
  if (!has_listen) {
    args.push_back("--listen");
    args.push_back("127.0.0.1:0");
  }
  args.push_back("--port-file");
  args.push_back(port_file.string());
  if (!env.count("AMARCORD_TZ")) env["AMARCORD_TZ"] = "UTC";
  p->pid_ = spawn(args, env, p->dir_ / "server.log", p->dir_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (std::filesystem::exists(port_file)) {
      p->port_ = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
      return p;
    }
    if (auto st = wait_pid(p->pid_, std::chrono::milliseconds(0))) {
      p->exited_ = true;
      throw std::runtime_error("amarcord-server exited with code " + std::to_string(st->code) +
                               " before listening:\n" + p->log());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("amarcord-server did not listen in time:\n" + p->log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_pid(pid_, std::chrono::seconds(10));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ServerProcess::log() const {
  return read_file(dir_ / "server.log");
}

void ServerProcess::signal(int sig) const {
  ::kill(pid_, sig);
}

std::optional<ExitStatus> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto st = wait_pid(pid_, timeout);
  if (st) exited_ = true;
  return st;
}

ExitStatus ServerProcess::stop(int sig, std::chrono::seconds timeout) {
  signal(sig);
  auto st = wait_exit(timeout);
  if (!st) throw std::runtime_error("amarcord-server did not exit after signal:\n" + log());
  return *st;
}

RunResult run_server_command(std::vector<std::string> args, std::map<std::string, std::string> env,
                             std::chrono::seconds timeout) {
  const auto dir = make_temp_dir("cmd");
  if (!env.count("AMARCORD_TZ")) env["AMARCORD_TZ"] = "UTC";
  const pid_t pid = spawn(args, env, dir / "out.log", dir);
  auto st = wait_pid(pid, timeout);
  if (!st) {
    ::kill(pid, SIGKILL);
    wait_pid(pid, std::chrono::seconds(5));
    throw std::runtime_error("amarcord-server command did not finish in time");
  }
  RunResult r{*st, read_file(dir / "out.log")};
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

}  // namespace amarcord::test
