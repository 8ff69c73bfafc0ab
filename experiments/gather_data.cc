#include "experiments/gather_data.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>

#include "common/model.h"

namespace experiments {
namespace {

common::Split MakeTrain(bool huge_pages) {
  common::Split s;
  s.count = kGatherSamples;
  // Allocated (and advised MADV_HUGEPAGE) but not yet touched: advice given now decides the pages.
  s.pixels.reserve(size_t{kGatherSamples} * common::kImagePixels);
  if (!huge_pages) madvise(s.pixels.data(), s.pixels.capacity(), MADV_NOHUGEPAGE);
  s.pixels.resize(size_t{kGatherSamples} * common::kImagePixels);
  for (size_t i = 0; i < s.pixels.size(); ++i) s.pixels[i] = static_cast<uint8_t>(i * 131 >> 3);
  s.labels.assign(kGatherSamples, 0);
  return s;
}

}  // namespace

const common::Split& GatherTrain(bool huge_pages) {
  static const common::Split huge = MakeTrain(true), small = MakeTrain(false);
  return huge_pages ? huge : small;
}

std::vector<int> GatherOrder() {
  std::vector<int> order(kGatherSamples);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(1));
  return order;
}

}  // namespace experiments
