#include "grabber/grabber_helpers.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace amarcord::test {
namespace fs = std::filesystem;

const FrameSet& test_frames() {
  static const FrameSet frames = make_frame_set(320, 240, 4, 6);
  return frames;
}

std::unique_ptr<FakeCamera> start_camera(const CameraScript& script, double fps,
                                         std::uint16_t port) {
  FakeCameraOptions o;
  o.scripts = {script};
  o.fps = fps;
  o.port = port;
  return std::make_unique<FakeCamera>(o, test_frames());
}

std::map<std::string, std::string> default_settings(const std::string& stream_url,
                                                    const fs::path& data_dir) {
  return {{"stream-url", stream_url}, {"beamtime-id", "1"},   {"data-dir", data_dir.string()},
          {"interval", "0"},          {"stall-timeout", "1"}, {"connect-timeout", "2"},
          {"backoff-initial", "0.1"}, {"backoff-max", "1"},   {"log-level", "debug"}};
}

std::vector<std::string> to_args(const std::map<std::string, std::string>& settings) {
  std::vector<std::string> args;
  for (const auto& [name, value] : settings) {
    if (value == "<none>") continue;
    args.push_back("--" + name);
    if (!value.empty()) args.push_back(value);
  }
  return args;
}

GrabberRun::GrabberRun(const std::string& stream_url,
                       const std::map<std::string, std::string>& overrides,
                       const std::map<std::string, std::string>& env)
    : data_dir_(make_temp_dir("grabber-data")) {
  auto settings = default_settings(stream_url, data_dir_);
  for (const auto& [k, v] : overrides)
    settings[k] = v;
  fs::path status_file = data_dir_ / "live" / "grabber-status.json";
  if (auto it = settings.find("status-file"); it != settings.end() && it->second != "<none>")
    status_file = it->second;
  process_ = GrabberProcess::start(to_args(settings), status_file, env);
}

GrabberRun::~GrabberRun() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(data_dir_, ec);
}

fs::path GrabberRun::live_file(long long beamtime) const {
  return live_dir() / ("live-stream-image-" + std::to_string(beamtime));
}

std::string GrabberRun::read_live(long long beamtime) const {
  return read_file_bytes(live_file(beamtime));
}

GrabberStatus GrabberRun::status() const {
  auto s = process_->status();
  if (!s) throw std::runtime_error("the grabber has written no status file:\n" + process_->log());
  return *s;
}

std::string GrabberRun::describe() const {
  std::string out = "status: ";
  try {
    auto s = process_->status();
    out += s ? s->text : "(none)";
  } catch (const std::exception& e) {
    out += e.what();
  }
  auto log = process_->log();
  if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
  return out + "\nlog:\n" + log;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.starts_with(".") || name.ends_with(".tmp")) out.push_back(name);
  }
  return out;
}

std::string seconds(double s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

std::string read_file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long long unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace amarcord::test
