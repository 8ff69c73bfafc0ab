#ifndef EXPERIMENTS_GATHER_DATA_H_
#define EXPERIMENTS_GATHER_DATA_H_

// What the gather experiments gather from: a training split of MNIST's size, and the trainer's
// way through it.

#include <vector>

#include "common/dataset.h"

namespace experiments {

inline constexpr int kGatherSamples = 60000, kGatherBatch = 64;

// kGatherSamples images of made-up bytes (47 MB, far beyond the caches), made once. In 2 MiB
// pages as the loader keeps them (common/pages.h), or, with huge_pages false, in 4 KiB ones.
const common::Split& GatherTrain(bool huge_pages = true);

// Every sample once, in a shuffled order.
std::vector<int> GatherOrder();

}  // namespace experiments

#endif  // EXPERIMENTS_GATHER_DATA_H_
