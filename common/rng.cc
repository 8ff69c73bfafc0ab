#include "common/rng.h"

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
  return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
}

double Rng::Normal() {
  const double kTwoPi = 6.283185307179586;
  return std::sqrt(-2.0 * std::log(Uniform())) * std::cos(kTwoPi * Uniform());
}

void Rng::Shuffle(std::vector<int>& values) {
  for (size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[Below(i)]);
  }
}

}  // namespace common
