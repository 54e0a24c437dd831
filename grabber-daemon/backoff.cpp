#include "backoff.hpp"

#include <algorithm>
#include <random>
#include <utility>

namespace amarcord::grabber {

Backoff::Backoff(Seconds initial, Seconds max, UniformRandom random)
    : initial_(initial),
      max_(std::max(max, initial)),
      current_(initial),
      random_(std::move(random)) {
  if (!random_) {
    random_ = [engine = std::mt19937_64{std::random_device{}()}]() mutable {
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
}

Backoff::Seconds Backoff::next() {
  const double factor = 1.0 - kJitter + 2.0 * kJitter * std::clamp(random_(), 0.0, 1.0);
  // Jitter first, cap afterwards: a wait never exceeds max.
  const Seconds wait = std::min(current_ * factor, max_);
  current_ = std::min(current_ * 2.0, max_);
  return wait;
}

}  // namespace amarcord::grabber
