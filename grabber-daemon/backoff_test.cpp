#include <catch2/catch.hpp>

#include <vector>

#include "backoff.hpp"

using amarcord::grabber::Backoff;
using S = Backoff::Seconds;

namespace {
std::vector<double> waits(Backoff& b, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i)
    out.push_back(b.next().count());
  return out;
}
}  // namespace

TEST_CASE("backoff doubles up to the cap and resets", "[backoff]") {
  Backoff b(S{0.5}, S{30}, [] { return 0.5; });  // 0.5 = no jitter
  const auto w = waits(b, 9);
  const std::vector<double> expected{0.5, 1, 2, 4, 8, 16, 30, 30, 30};
  REQUIRE(w.size() == expected.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    CHECK(w[i] == Approx(expected[i]));
  b.reset();
  CHECK(b.next().count() == Approx(0.5));
  CHECK(b.next().count() == Approx(1.0));
}

TEST_CASE("backoff jitter is +-20 percent and never exceeds the cap", "[backoff]") {
  Backoff low(S{1}, S{10}, [] { return 0.0; });
  CHECK(waits(low, 5) == std::vector<double>{0.8, 1.6, 3.2, 6.4, 8.0});
  Backoff high(S{1}, S{10}, [] { return 1.0; });
  const auto w = waits(high, 5);
  CHECK(w[0] == Approx(1.2));
  CHECK(w[1] == Approx(2.4));
  CHECK(w[2] == Approx(4.8));
  CHECK(w[3] == Approx(9.6));
  CHECK(w[4] == Approx(10.0));  // 12 capped

  Backoff real(S{0.5}, S{30});  // the default random source
  for (int round = 0; round < 3; ++round) {
    double base = 0.5;
    for (int i = 0; i < 12; ++i) {
      const double v = real.next().count();
      CHECK(v >= 0.8 * base - 1e-9);
      CHECK(v <= std::min(1.2 * base, 30.0) + 1e-9);
      base = std::min(base * 2, 30.0);
    }
    real.reset();
  }
}

TEST_CASE("backoff with max below initial uses initial", "[backoff]") {
  Backoff b(S{2}, S{1}, [] { return 0.5; });
  CHECK(b.next().count() == Approx(2));
  CHECK(b.next().count() == Approx(2));
}
