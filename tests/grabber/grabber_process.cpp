#include "grabber/grabber_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace amarcord::test {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The test's environment minus what would configure the grabber behind the
// test's back (AMARCORD_*, systemd's notify/watchdog), plus `extra`.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto name = kv.substr(0, kv.find('='));
    if (name.starts_with("AMARCORD_") || name == "NOTIFY_SOCKET" || name == "WATCHDOG_USEC" ||
        name == "WATCHDOG_PID" || extra.count(name))
      continue;
    out.push_back(kv);
  }
  for (const auto& [k, v] : extra)
    out.push_back(k + "=" + v);
  return out;
}

pid_t spawn_grabber(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const fs::path& log,
                    const fs::path& cwd) {
  std::vector<std::string> argv_s = {grabber_binary().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  auto env_s = child_environment(env);
  std::vector<char*> argv, envp;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0] + ": " + std::strerror(rc));
  return pid;
}

std::optional<ExitStatus> reap(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      ExitStatus s;
      if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
      return s;
    }
    if (r < 0) return ExitStatus{};
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

long long int_field(const json::object& o, const char* key, const std::string& text) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64())
    throw std::runtime_error(std::string("status file: `") + key +
                             "` missing or not an integer: " + text);
  return v->as_int64();
}

std::optional<long long> nullable_int(const json::object& o, const char* key,
                                      const std::string& text) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !(v->is_null() || v->is_int64()))
    throw std::runtime_error(std::string("status file: `") + key +
                             "` missing or not an integer/null: " + text);
  if (v->is_null()) return std::nullopt;
  return v->as_int64();
}

}  // namespace

fs::path grabber_binary() {
  if (const char* p = std::getenv("AMARCORD_GRABBER_BIN")) return p;
  return AMARCORD_GRABBER_PATH;
}

GrabberStatus parse_grabber_status(const std::string& text) {
  json::value v;
  try {
    v = json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("status file is not JSON (") + e.what() + "): " + text);
  }
  if (!v.is_object()) throw std::runtime_error("status file is not an object: " + text);
  const auto& o = v.as_object();
  GrabberStatus s;
  s.text = text;
  const auto* state = o.if_contains("state");
  if (state == nullptr || !state->is_string())
    throw std::runtime_error("status file: `state` missing: " + text);
  s.state = std::string(state->as_string());
  static const char* kStates[] = {"starting", "idle",    "connecting", "streaming",
                                  "stalled",  "backoff", "stopping"};
  bool known = false;
  for (const char* k : kStates)
    known = known || s.state == k;
  if (!known) throw std::runtime_error("status file: unknown state: " + text);
  s.beamtime_id = nullable_int(o, "beamtime_id", text);
  const auto* url = o.if_contains("stream_url");
  if (url == nullptr || !url->is_string())
    throw std::runtime_error("status file: `stream_url` missing: " + text);
  s.stream_url = std::string(url->as_string());
  s.last_frame_at = nullable_int(o, "last_frame_at", text);
  s.frames_ok = int_field(o, "frames_ok", text);
  s.frames_rejected = int_field(o, "frames_rejected", text);
  s.frames_written = int_field(o, "frames_written", text);
  s.reconnects = int_field(o, "reconnects", text);
  const auto* err = o.if_contains("last_error");
  if (err == nullptr || !(err->is_null() || err->is_string()))
    throw std::runtime_error("status file: `last_error` missing: " + text);
  if (err->is_string()) s.last_error = std::string(err->as_string());
  s.pid = int_field(o, "pid", text);
  s.updated_at = int_field(o, "updated_at", text);
  return s;
}

ProcSample sample_process(pid_t pid) {
  ProcSample s;
  const fs::path proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (auto it = fs::directory_iterator(proc / "fd", ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    ++s.fds;
  std::istringstream status(slurp(proc / "status"));
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream ls(line);
    std::string key;
    long value = 0;
    ls >> key >> value;
    if (key == "Threads:") s.threads = static_cast<int>(value);
    if (key == "VmRSS:") s.rss_kib = value;
    if (key == "VmHWM:") s.peak_kib = value;
  }
  // /proc/<pid>/stat: fields 14 and 15 (utime, stime) after the ")" of comm.
  const auto stat = slurp(proc / "stat");
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::stoull(f);
      if (i == 15) stime = std::stoull(f);
    }
    s.cpu_seconds =
        static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return s;
}

std::unique_ptr<GrabberProcess> GrabberProcess::start(std::vector<std::string> args,
                                                      fs::path status_file,
                                                      std::map<std::string, std::string> env) {
  std::unique_ptr<GrabberProcess> p(new GrabberProcess());
  p->dir_ = make_temp_dir("grabber");
  p->status_file_ = std::move(status_file);
  p->pid_ = spawn_grabber(args, env, p->dir_ / "grabber.log", p->dir_);
  return p;
}

GrabberProcess::~GrabberProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(pid_, std::chrono::seconds(10));
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string GrabberProcess::log() const {
  return slurp(dir_ / "grabber.log");
}

std::optional<GrabberStatus> GrabberProcess::status() const {
  std::ifstream in(status_file_, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_grabber_status(ss.str());
}

std::optional<GrabberStatus> GrabberProcess::wait_status(
    const std::function<bool(const GrabberStatus&)>& pred,
    std::chrono::milliseconds timeout) const {
  std::optional<GrabberStatus> hit;
  poll_until(
      [&] {
        auto s = status();
        if (s && pred(*s)) hit = std::move(s);
        return hit.has_value();
      },
      timeout);
  return hit;
}

void GrabberProcess::signal(int sig) const {
  if (!exited_) ::kill(pid_, sig);
}

std::optional<ExitStatus> GrabberProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exited_) return std::nullopt;
  auto s = reap(pid_, timeout);
  if (s) exited_ = true;
  return s;
}

RunResult run_grabber_command(std::vector<std::string> args, std::chrono::seconds timeout) {
  const auto dir = make_temp_dir("grabber-cmd");
  const pid_t pid = spawn_grabber(args, {}, dir / "out.log", dir);
  auto st = reap(pid, timeout);
  if (!st) {
    ::kill(pid, SIGKILL);
    reap(pid, std::chrono::seconds(5));
    throw std::runtime_error("amarcord-grabber command did not finish in time");
  }
  RunResult r{*st, slurp(dir / "out.log")};
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace amarcord::test
