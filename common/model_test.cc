// The model's shape, its initial weights, its FLOP counts, and the Rng behind the weights and
// the shuffle.
#include "common/model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "common/rng.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;

// ---- LayerSizes / ZerosLike / InitParameters --------------------------------------------------

// Stage 5 relies on where buffers start: each thread's columns on lines of their own (Floats),
// its activations on pages of its own (PageFloats), also after a buffer grows.
TEST(AlignedAllocator, FloatsStartOnALineAndPageFloatsOnAPage) {
  auto offset = [](const float* p, std::uintptr_t align) {
    return reinterpret_cast<std::uintptr_t>(p) % align;
  };
  for (size_t n : {1, 17, 1000, 100000}) {
    Floats floats(n);
    PageFloats page_floats(n);
    EXPECT_EQ(offset(floats.data(), 64), 0u) << n;
    EXPECT_EQ(offset(page_floats.data(), 4096), 0u) << n;
    page_floats.resize(3 * n);  // reallocates
    EXPECT_EQ(offset(page_floats.data(), 4096), 0u) << n;
  }
}

TEST(LayerSizes, AddsInputAndOutput) {
  EXPECT_THAT(LayerSizes({128}), ElementsAre(784, 128, 10));
  EXPECT_THAT(LayerSizes({256, 128}), ElementsAre(784, 256, 128, 10));
  EXPECT_THAT(LayerSizes({}), ElementsAre(784, 10));
}

void ExpectShapes(const Parameters& p, const std::vector<int>& sizes) {
  ASSERT_EQ(p.layers.size(), sizes.size() - 1);
  for (size_t l = 0; l < p.layers.size(); ++l) {
    SCOPED_TRACE(l);
    EXPECT_EQ(p.layers[l].inputs, sizes[l]);
    EXPECT_EQ(p.layers[l].outputs, sizes[l + 1]);
    EXPECT_EQ(p.layers[l].weights.size(), static_cast<size_t>(sizes[l]) * sizes[l + 1]);
    EXPECT_EQ(p.layers[l].bias.size(), static_cast<size_t>(sizes[l + 1]));
  }
}

TEST(ZerosLike, ShapesAndZeros) {
  const std::vector<int> sizes = {784, 256, 128, 10};
  const Parameters p = ZerosLike(sizes);
  ExpectShapes(p, sizes);
  for (const Layer& layer : p.layers) {
    EXPECT_THAT(layer.weights, Each(0.0f));
    EXPECT_THAT(layer.bias, Each(0.0f));
  }
}

TEST(InitParameters, ShapesAndZeroBiases) {
  for (const std::vector<int>& sizes : {LayerSizes({128}), LayerSizes({256, 128})}) {
    const Parameters p = InitParameters(sizes, 1);
    ExpectShapes(p, sizes);
    for (const Layer& layer : p.layers) {
      EXPECT_THAT(layer.bias, Each(0.0f));
      EXPECT_TRUE(std::all_of(layer.weights.begin(), layer.weights.end(),
                              [](float w) { return std::isfinite(w); }));
      EXPECT_GT(std::count_if(layer.weights.begin(), layer.weights.end(),
                              [](float w) { return w != 0.0f; }),
                static_cast<long>(layer.weights.size()) * 99 / 100);
    }
  }
}

TEST(InitParameters, SameSeedSameWeights) {
  const std::vector<int> sizes = LayerSizes({256, 128});
  const Parameters a = InitParameters(sizes, 7);
  const Parameters b = InitParameters(sizes, 7);
  for (size_t l = 0; l < a.layers.size(); ++l) {
    EXPECT_EQ(a.layers[l].weights, b.layers[l].weights) << "layer " << l;
  }
}

TEST(InitParameters, DifferentSeedDifferentWeights) {
  const std::vector<int> sizes = LayerSizes({128});
  const Parameters a = InitParameters(sizes, 1);
  const Parameters b = InitParameters(sizes, 2);
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const Floats& wa = a.layers[l].weights;
    const Floats& wb = b.layers[l].weights;
    size_t same = 0;
    for (size_t i = 0; i < wa.size(); ++i) same += wa[i] == wb[i];
    EXPECT_LT(same, wa.size() / 100) << "layer " << l;
  }
}

TEST(InitParameters, LayersDrawFromOneStreamInOrder) {
  // Layer 0 takes the first 784 * 128 normals of Rng(seed), layer 1 the next ones.
  const std::vector<int> sizes = LayerSizes({128});
  const Parameters p = InitParameters(sizes, 3);
  Rng rng(3);
  for (const Layer& layer : p.layers) {
    const double stddev = std::sqrt(2.0 / layer.inputs);
    for (size_t i = 0; i < layer.weights.size(); ++i) {
      ASSERT_EQ(layer.weights[i], static_cast<float>(stddev * rng.Normal())) << i;
    }
  }
}

struct Moments {
  double mean;
  double stddev;
};

Moments MomentsOf(const Floats& values) {
  double sum = 0, sum_sq = 0;
  for (float v : values) sum += v;
  const double mean = sum / values.size();
  for (float v : values) sum_sq += (v - mean) * (v - mean);
  return {mean, std::sqrt(sum_sq / (values.size() - 1))};
}

TEST(InitParameters, HeInitializationStatistics) {
  const Parameters p = InitParameters(LayerSizes({128}), 1);
  // Layer 0: 100,352 weights, so the sample stddev is within ~0.5% (2 sigma) of the true one.
  const double he0 = std::sqrt(2.0 / 784);
  const Moments m0 = MomentsOf(p.layers[0].weights);
  EXPECT_NEAR(m0.mean, 0.0, 0.02 * he0);
  EXPECT_NEAR(m0.stddev, he0, 0.02 * he0);
  // Layer 1: 1,280 weights, stddev sqrt(2/128); looser bounds for the smaller sample.
  const double he1 = std::sqrt(2.0 / 128);
  const Moments m1 = MomentsOf(p.layers[1].weights);
  EXPECT_NEAR(m1.mean, 0.0, 0.15 * he1);
  EXPECT_NEAR(m1.stddev, he1, 0.10 * he1);
}

TEST(InitParameters, GoldenFirstWeights) {
  // Follows from the Rng golden values below: every stage starts from these weights.
  const Parameters p = InitParameters(LayerSizes({128}), 1);
  const double he0 = std::sqrt(2.0 / 784);
  EXPECT_EQ(p.layers[0].weights[0], static_cast<float>(he0 * 1.3128515289855616));
  EXPECT_EQ(p.layers[0].weights[1], static_cast<float>(he0 * 1.2506039211781215));
  EXPECT_EQ(p.layers[0].weights[2], static_cast<float>(he0 * 1.228521999961057));
}

// ---- FLOP counts ------------------------------------------------------------------------------

TEST(Flops, Forward) {
  EXPECT_EQ(ForwardFlopsPerSample({784, 128, 10}), 2.0 * (784 * 128 + 128 * 10));
  EXPECT_EQ(ForwardFlopsPerSample({784, 256, 128, 10}), 2.0 * (784 * 256 + 256 * 128 + 128 * 10));
  EXPECT_EQ(ForwardFlopsPerSample({784, 10}), 2.0 * 784 * 10);
}

TEST(Flops, Training) {
  // Forward and weight gradient for every layer; input gradient for all but the first.
  EXPECT_EQ(TrainingFlopsPerSample({784, 128, 10}),
            2.0 * (784 * 128 + 128 * 10) * 2 + 2.0 * 128 * 10);
  EXPECT_EQ(TrainingFlopsPerSample({784, 128, 10}), 409088.0);  // 2 * 203264 + 2560
  EXPECT_EQ(TrainingFlopsPerSample({784, 256, 128, 10}),
            2.0 * (784 * 256 + 256 * 128 + 128 * 10) * 2 + 2.0 * (256 * 128 + 128 * 10));
  EXPECT_EQ(TrainingFlopsPerSample({784, 10}), 2.0 * 2 * 784 * 10);
}

// ---- Rng --------------------------------------------------------------------------------------

TEST(Rng, GoldenNormals) {
  // Pins cross-platform reproducibility of the initial weights: Rng(1) must give these on every
  // compiler and standard library (mt19937_64 is fully specified; Box-Muller and the 53-bit
  // Uniform are spelled out in rng.cc). Computed once with this code, GCC 12 / glibc.
  Rng rng(1);
  EXPECT_NEAR(rng.Normal(), 1.3128515289855616, 1e-12);
  EXPECT_NEAR(rng.Normal(), 1.2506039211781215, 1e-12);
  EXPECT_NEAR(rng.Normal(), 1.228521999961057, 1e-12);
}

TEST(Rng, GoldenShuffle) {
  // Likewise pins the epoch order: Fisher-Yates over Below(), not std::shuffle.
  Rng rng(1);
  std::vector<int> v(10);
  std::iota(v.begin(), v.end(), 0);
  rng.Shuffle(v);
  EXPECT_THAT(v, ElementsAre(1, 7, 3, 9, 4, 0, 5, 2, 6, 8));
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(99), b(99), c(100);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Below(1000000);
    EXPECT_EQ(x, b.Below(1000000));
    differs |= x != c.Below(1000000);
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowInRange) {
  Rng rng(5);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(rng.Below(1), 0u);
  for (uint64_t n : {uint64_t{2}, uint64_t{3}, uint64_t{10}, uint64_t{1000003},
                     (uint64_t{1} << 63) + 1, UINT64_MAX}) {
    for (int i = 0; i < 1000; ++i) ASSERT_LT(rng.Below(n), n) << "n = " << n;
  }
}

TEST(Rng, BelowRoughlyUniform) {
  Rng rng(11);
  constexpr int kBins = 7, kDraws = 70000;
  std::vector<int> counts(kBins, 0);
  for (int i = 0; i < kDraws; ++i) ++counts[rng.Below(kBins)];
  for (int b = 0; b < kBins; ++b) {
    // Expected 10,000 each, sigma ~93: 5% is over 5 sigma.
    EXPECT_NEAR(counts[b], kDraws / kBins, kDraws / kBins / 20) << "bin " << b;
  }
}

TEST(Rng, BelowLargeNCoversTheRange) {
  // For n near 2^63 rejection matters; both halves must still come up.
  Rng rng(13);
  const uint64_t n = (uint64_t{1} << 63) + 12345;
  int upper = 0;
  for (int i = 0; i < 10000; ++i) upper += rng.Below(n) >= n / 2;
  EXPECT_NEAR(upper, 5000, 300);
}

TEST(Rng, UniformInOpenUnitInterval) {
  Rng rng(17);
  double sum = 0, min = 1, max = 0;
  constexpr int kDraws = 1000000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.Uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    min = std::min(min, u);
    max = std::max(max, u);
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.002);  // sigma ~0.0003
  EXPECT_LT(min, 1e-4);
  EXPECT_GT(max, 1 - 1e-4);
}

TEST(Rng, NormalMoments) {
  Rng rng(19);
  constexpr int kDraws = 200000;
  double sum = 0, sum_sq = 0;
  int beyond_two_sigma = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = rng.Normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sum_sq += x * x;
    beyond_two_sigma += std::abs(x) > 2;
  }
  EXPECT_NEAR(sum / kDraws, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / kDraws, 1.0, 0.02);
  EXPECT_NEAR(beyond_two_sigma / double{kDraws}, 0.0455, 0.003);
}

TEST(Rng, ShuffleIsAPermutation) {
  Rng rng(23);
  std::vector<int> v(1000);
  std::iota(v.begin(), v.end(), 0);
  rng.Shuffle(v);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(v, identity);
  int fixed_points = 0;
  for (int i = 0; i < 1000; ++i) fixed_points += v[i] == i;
  EXPECT_LT(fixed_points, 10);  // about 1 expected
}

TEST(Rng, ShuffleDeterministicPerSeed) {
  std::vector<int> base(100);
  std::iota(base.begin(), base.end(), 0);
  std::vector<int> a = base, b = base, c = base;
  Rng(31).Shuffle(a);
  Rng(31).Shuffle(b);
  Rng(32).Shuffle(c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Rng, ShuffleSmallVectors) {
  Rng rng(1);
  std::vector<int> empty;
  rng.Shuffle(empty);
  EXPECT_TRUE(empty.empty());
  std::vector<int> one = {42};
  rng.Shuffle(one);
  EXPECT_THAT(one, ElementsAre(42));
  // Both orders of two elements come up.
  int swapped = 0;
  for (int i = 0; i < 1000; ++i) {
    std::vector<int> two = {0, 1};
    rng.Shuffle(two);
    ASSERT_TRUE(two == std::vector<int>({0, 1}) || two == std::vector<int>({1, 0}));
    swapped += two[0] == 1;
  }
  EXPECT_NEAR(swapped, 500, 80);
}

}  // namespace
}  // namespace common
