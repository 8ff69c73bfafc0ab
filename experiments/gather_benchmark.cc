// bazel run //experiments:gather_benchmark -- --benchmark_repetitions=5
//
// Why common::GatherPixels prefetches a few images ahead. Each training step copies 64 shuffled
// images out of the 60,000 (47 MB of bytes, far beyond the caches) into the batch, as floats.
// One benchmark iteration is one such batch, its images chosen as the trainer chooses them; between
// batches, 1 MB is written, as a training step would (weights, gradients, batch), so that the
// caches hold what they would. Only the gather is timed. Six ways:
//   plain       GatherPixels without its prefetch: image after image;
//   next        plain, then ask for the next batch's images (the trainer before);
//   ahead       GatherPixels: while converting image i, ask for image i + 4;
//   ahead_next  GatherPixels, then ask for the next batch (the trainer now);
//   cached      GatherPixels of the same batch over again: the conversion alone;
//   small_pages ahead_next, with the data set in 4 KiB pages instead of the loader's 2 MiB ones
//               (common/pages.h): a page-table walk for nearly every image.

#include <chrono>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/dataset.h"
#include "common/model.h"
#include "experiments/gather_data.h"
#include "testing/benchmarks.h"

namespace {

using experiments::kGatherBatch;
using experiments::kGatherSamples;

enum Way { kPlain, kNext, kAhead, kAheadNext, kCached, kSmallPages };

void BM_Gather(benchmark::State& state) {
  const Way way = static_cast<Way>(state.range(0));
  const common::Split& split = experiments::GatherTrain(way != kSmallPages);
  const std::vector<int> order = experiments::GatherOrder();
  std::vector<float> batch(size_t{kGatherBatch} * common::kImagePixels);
  std::vector<float> step(1 << 18);  // 1 MB
  int first = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < step.size(); i += 16) step[i] += 1.0f;  // the step between batches
    if (first + 2 * kGatherBatch > kGatherSamples) first = 0;
    const int* samples = order.data() + (way == kCached ? 0 : first);
    const auto start = std::chrono::steady_clock::now();
    const int ahead = way == kPlain || way == kNext ? 0 : common::kGatherPrefetchAhead;
    common::GatherPixels(split, samples, kGatherBatch, batch.data(), ahead);
    if (way == kNext || way == kAheadNext || way == kSmallPages) {
      common::PrefetchPixels(split, order.data() + first + kGatherBatch, kGatherBatch);
    }
    benchmark::DoNotOptimize(batch.data());
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    first += kGatherBatch;
  }
  state.SetBytesProcessed(state.iterations() * int64_t{kGatherBatch} * common::kImagePixels);
}

BENCHMARK(BM_Gather)->Name("gather/plain")->Arg(kPlain)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/next")->Arg(kNext)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/ahead")->Arg(kAhead)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/ahead_next")->Arg(kAheadNext)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/cached")->Arg(kCached)->UseManualTime();
BENCHMARK(BM_Gather)->Name("gather/small_pages")->Arg(kSmallPages)->UseManualTime();

}  // namespace

int main(int argc, char** argv) { return benchmarks::RunInterleaved(argc, argv); }
