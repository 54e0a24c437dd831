// The rate limit between the stream and the sink: at most one write per
// interval, and the frame written is the newest good one that arrived since
// the last write (a 60 fps camera costs one write per interval, not sixty).
// The first frame after a quiet period is written at once. Interval 0 lets
// every frame through.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace amarcord::grabber {

class FrameGate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FrameGate(Clock::duration interval) : interval_(interval) {}

  // Keeps a copy of `jpeg` as the frame to write next, replacing an older one.
  void offer(std::string_view jpeg);
  bool has_pending() const { return has_pending_; }
  // The earliest time the next write may happen.
  Clock::time_point next_write_at() const { return next_write_at_; }
  bool due(Clock::time_point now) const { return has_pending_ && now >= next_write_at_; }
  // Moves the pending frame into `out` (buffers are swapped, so both keep
  // their capacity) and starts the next interval at `now`.
  void take(std::string& out, Clock::time_point now);
  // Forgets the pending frame (e.g. the target beamtime changed).
  void clear() { has_pending_ = false; }

 private:
  Clock::duration interval_;
  Clock::time_point next_write_at_{};  // epoch: the first frame goes at once
  std::string pending_;
  bool has_pending_ = false;
};

}  // namespace amarcord::grabber
