#include "common/rng.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace common {

uint64_t Rng::Below(uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return x % n;
}

double Rng::Uniform() {
  // 53 random bits, shifted off zero by half a step.
  // The clamp catches the one draw (all 53 bits set) that would round up to exactly 1.
  return std::min((static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53, 0x1.fffffffffffffp-1);
}

double Rng::Normal() {
  const double kTwoPi = 6.283185307179586;
  // Two statements: C++ leaves the order of two calls in one expression open.
  const double radius = std::sqrt(-2.0 * std::log(Uniform()));
  return radius * std::cos(kTwoPi * Uniform());
}

void Rng::Shuffle(std::vector<int>& values) {
  for (size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[Below(i)]);
  }
}

}  // namespace common
