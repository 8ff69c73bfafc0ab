#ifndef COMMON_RNG_H_
#define COMMON_RNG_H_

#include <cstdint>
#include <random>
#include <vector>

namespace common {

// The one source of randomness for every stage: initial weights and the per-epoch shuffle.
//
// std::mt19937_64 produces the same bits everywhere, but std::normal_distribution and
// std::shuffle are left to each standard library, so libstdc++ and libc++ would start the
// stages from different weights. The few lines below pin those algorithms down.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n), unbiased (rejection of the incomplete last block).
  uint64_t Below(uint64_t n);

  // Uniform in (0, 1): never 0, so log() is safe.
  double Uniform();

  // Standard normal, Box-Muller (one value per call; simple beats fast here).
  double Normal();

  // Fisher-Yates.
  void Shuffle(std::vector<int>& values);

 private:
  std::mt19937_64 engine_;
};

}  // namespace common

#endif  // COMMON_RNG_H_
