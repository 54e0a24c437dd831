#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "frame_gate.hpp"

using amarcord::grabber::FrameGate;
using namespace std::chrono_literals;

TEST_CASE("frame gate: one write per interval, newest frame wins", "[gate]") {
  FrameGate gate(1s);
  const auto t0 = FrameGate::Clock::now();
  std::string out;
  CHECK_FALSE(gate.due(t0));  // nothing pending
  gate.offer("first");
  CHECK(gate.due(t0));  // the first frame goes at once
  gate.take(out, t0);
  CHECK(out == "first");
  CHECK_FALSE(gate.has_pending());

  gate.offer("second");
  gate.offer("third");
  CHECK(gate.has_pending());
  CHECK_FALSE(gate.due(t0 + 500ms));
  CHECK(gate.next_write_at() == t0 + 1s);
  CHECK(gate.due(t0 + 1s));
  gate.take(out, t0 + 1s);
  CHECK(out == "third");

  // A frame after a quiet period goes at once.
  gate.offer("fourth");
  CHECK(gate.due(t0 + 5s));
  gate.clear();
  CHECK_FALSE(gate.due(t0 + 5s));
}

TEST_CASE("frame gate: interval 0 lets every frame through", "[gate]") {
  FrameGate gate(0s);
  const auto t0 = FrameGate::Clock::now();
  std::string out;
  for (int i = 0; i < 5; ++i) {
    gate.offer(std::to_string(i));
    REQUIRE(gate.due(t0));
    gate.take(out, t0);
    CHECK(out == std::to_string(i));
  }
}
