#include "frame_gate.hpp"

namespace amarcord::grabber {

void FrameGate::offer(std::string_view jpeg) {
  pending_.assign(jpeg.data(), jpeg.size());
  has_pending_ = true;
}

void FrameGate::take(std::string& out, Clock::time_point now) {
  out.swap(pending_);
  has_pending_ = false;
  next_write_at_ = now + interval_;
}

}  // namespace amarcord::grabber
