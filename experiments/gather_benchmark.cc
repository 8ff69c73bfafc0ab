// bazel run //experiments:gather_benchmark -- --benchmark_repetitions=5
//
// Why common::GatherPixels prefetches a few images ahead. Each training step copies 64 shuffled
// images out of the 60,000 (47 MB of bytes, far beyond the caches) into the batch, as floats.
// One benchmark iteration is one such batch, its images chosen as the trainer chooses them; between
// batches, 1 MB is written, as a training step would (weights, gradients, batch), so that the
// caches hold what they would. Only the gather is timed. Five ways:
//   plain       GatherPixels without its prefetch: image after image;
//   next        plain, then ask for the next batch's images (the trainer before);
//   ahead       GatherPixels: while converting image i, ask for image i + 4;
//   ahead_next  GatherPixels, then ask for the next batch (the trainer now);
//   cached      GatherPixels of the same batch over again: the conversion alone.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/dataset.h"
#include "common/model.h"
#include "testing/benchmarks.h"

namespace {

constexpr int kSamples = 60000, kBatch = 64;

const common::Split& Train() {
  static const common::Split split = [] {
    common::Split s;
    s.count = kSamples;
    s.pixels.resize(size_t{kSamples} * common::kImagePixels);
    for (size_t i = 0; i < s.pixels.size(); ++i) s.pixels[i] = static_cast<uint8_t>(i * 131 >> 3);
    s.labels.assign(kSamples, 0);
    return s;
  }();
  return split;
}

// The trainer's way through the data: every sample once, in a shuffled order.
std::vector<int> Shuffled() {
  std::vector<int> order(kSamples);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(1));
  return order;
}

enum Way { kPlain, kNext, kAhead, kAheadNext, kCached };

void BM_Gather(benchmark::State& state) {
  const Way way = static_cast<Way>(state.range(0));
  const common::Split& split = Train();
  const std::vector<int> order = Shuffled();
  std::vector<float> batch(size_t{kBatch} * common::kImagePixels);
  std::vector<float> step(1 << 18);  // 1 MB
  int first = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < step.size(); i += 16) step[i] += 1.0f;  // the step between batches
    if (first + 2 * kBatch > kSamples) first = 0;
    const int* samples = order.data() + (way == kCached ? 0 : first);
    const auto start = std::chrono::steady_clock::now();
    const int ahead = way == kPlain || way == kNext ? 0 : common::kGatherPrefetchAhead;
    common::GatherPixels(split, samples, kBatch, batch.data(), ahead);
    if (way == kNext || way == kAheadNext) {
      common::PrefetchPixels(split, order.data() + first + kBatch, kBatch);
    }
    benchmark::DoNotOptimize(batch.data());
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    first += kBatch;
  }
  state.SetBytesProcessed(state.iterations() * int64_t{kBatch} * common::kImagePixels);
}

BENCHMARK(BM_Gather)->Name("gather/plain")->Arg(kPlain)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/next")->Arg(kNext)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/ahead")->Arg(kAhead)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/ahead_next")->Arg(kAheadNext)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/cached")->Arg(kCached)->UseManualTime();

}  // namespace

int main(int argc, char** argv) { return benchmarks::RunInterleaved(argc, argv); }
