#include "status.hpp"

#include <boost/json.hpp>

#include <exception>

#include <fmt/format.h>

#include "atomic_replace.hpp"
#include "service/sd_notify.hpp"
#include "util/log.hpp"

namespace amarcord::grabber {

const char* to_string(State state) {
  switch (state) {
    case State::starting:
      return "starting";
    case State::idle:
      return "idle";
    case State::connecting:
      return "connecting";
    case State::streaming:
      return "streaming";
    case State::stalled:
      return "stalled";
    case State::backoff:
      return "backoff";
    case State::stopping:
      return "stopping";
  }
  return "?";
}

std::string status_json(const StatusSnapshot& s) {
  boost::json::object o;
  o["state"] = to_string(s.state);
  o["beamtime_id"] = s.beamtime_id ? boost::json::value(*s.beamtime_id) : nullptr;
  o["stream_url"] = s.stream_url;
  o["last_frame_at"] = s.last_frame_at_ms ? boost::json::value(*s.last_frame_at_ms) : nullptr;
  o["frames_ok"] = s.frames_ok;
  o["frames_rejected"] = s.frames_rejected;
  o["frames_written"] = s.frames_written;
  o["reconnects"] = s.reconnects;
  o["last_error"] = s.last_error ? boost::json::value(*s.last_error) : nullptr;
  o["pid"] = s.pid;
  o["updated_at"] = s.updated_at_ms;
  return boost::json::serialize(o) + "\n";
}

std::string status_line(const StatusSnapshot& s) {
  std::string line = to_string(s.state);
  if (s.beamtime_id) line += fmt::format(", beamtime {}", *s.beamtime_id);
  line += fmt::format(", frames ok {} / rejected {}", s.frames_ok, s.frames_rejected);
  if (s.last_frame_at_ms) {
    const double age = static_cast<double>(s.updated_at_ms - *s.last_frame_at_ms) / 1000.0;
    line += fmt::format(", last frame {:.1f} s ago", age < 0 ? 0.0 : age);
  } else {
    line += ", no frame yet";
  }
  return line;
}

StatusReporter::StatusReporter(std::filesystem::path file) : file_(std::move(file)) {}

void StatusReporter::publish(const StatusSnapshot& s) {
  service::sd_notify("STATUS=" + status_line(s));
  if (file_.empty()) return;
  try {
    replace_file(file_, status_json(s), false);
    last_error_.clear();
  } catch (const std::exception& e) {
    if (last_error_ != e.what()) {
      last_error_ = e.what();
      log::error("cannot write the status file: {}", e.what());
    }
  }
}

}  // namespace amarcord::grabber
