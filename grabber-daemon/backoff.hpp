// Capped exponential backoff with jitter between reconnect attempts
// (spec/grabber-cases.md §2.3): the first wait is `initial`, each further
// failed attempt doubles it up to `max`, every wait is spread by +-20 % so
// several grabbers do not hammer a camera in lockstep, and a good frame
// resets it to `initial`.
#pragma once

#include <chrono>
#include <functional>

namespace amarcord::grabber {

class Backoff {
 public:
  using Seconds = std::chrono::duration<double>;
  // Returns a number in [0, 1); injected so tests can pin the jitter.
  using UniformRandom = std::function<double()>;

  Backoff(Seconds initial, Seconds max, UniformRandom random = {});

  // The wait before the next attempt; advances the exponent.
  Seconds next();
  // After a good frame: the next wait is `initial` again.
  void reset() { current_ = initial_; }
  // The un-jittered wait next() would start from (for tests and logs).
  Seconds current() const { return current_; }

  static constexpr double kJitter = 0.2;

 private:
  Seconds initial_;
  Seconds max_;
  Seconds current_;
  UniformRandom random_;
};

}  // namespace amarcord::grabber
