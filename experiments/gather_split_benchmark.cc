// bazel run //experiments:gather_split_benchmark -- --benchmark_repetitions=7
//
// Why stage 5's gather does not halve on two threads. Each thread gathers its half of every
// batch of an epoch into one shared batch, as the trainer does on stage 5's pool, and then reads
// what the step's products would read. One iteration is one epoch of batches; only thread 0's
// gathers are timed. Five ways:
//   one_thread   one thread gathers every whole batch (stage 3, 4, or stage 5 on 1 thread);
//   halves       two threads, each its half, then each reads the whole batch, as both threads'
//                products do: next step, every line a thread writes is in the other core's cache;
//   halves_own   the same, but each thread reads only its own half: no line is shared;
//   halves_alone the same, reading nothing;
//   private      two threads, each gathers the whole batch into a batch of its own and reads it:
//                twice the gathering, nothing shared.
// halves against halves_own is what sharing the batch between cores costs; halves_own against
// one_thread is how far the memory system lets two cores gather at once. Run tools/core_latency
// before and after: how far apart the two cores are decides the first (experiments/README.md).

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/dataset.h"
#include "common/machine.h"
#include "common/model.h"
#include "experiments/gather_data.h"
#include "testing/benchmarks.h"

namespace {

using experiments::kGatherBatch;
using experiments::kGatherSamples;
constexpr int kPixels = common::kImagePixels;

// Two threads meet here between the phases of a batch (spinning, as stage 5's pool does).
class SpinBarrier {
 public:
  explicit SpinBarrier(int threads) : threads_(threads) {}
  void Wait() {
    const int phase = phase_.load();
    if (arrived_.fetch_add(1) + 1 == threads_) {
      arrived_ = 0;
      phase_.fetch_add(1);
    } else {
      while (phase_.load() == phase) {
      }
    }
  }

 private:
  const int threads_;
  std::atomic<int> arrived_{0}, phase_{0};
};

enum Way { kOneThread, kHalves, kHalvesOwn, kHalvesAlone, kPrivate };

// One epoch of gathers; returns thread 0's seconds spent gathering.
double Epoch(Way way, const std::vector<int>& order) {
  const int threads = way == kOneThread ? 1 : 2;
  std::vector<float> batches(static_cast<size_t>(threads) * kGatherBatch *
                             kPixels);    // one, or one each (private)
  std::vector<float> sums(threads * 16);  // a cache line each
  SpinBarrier barrier(threads);
  double seconds = 0;
  auto run = [&](int t) {
    common::PinThisThreadTo(t);
    const bool whole = way == kPrivate;
    float* const batch =
        batches.data() + (whole ? static_cast<size_t>(t) * kGatherBatch * kPixels : 0);
    const int begin = whole ? 0 : kGatherBatch * t / threads,
              end = whole ? kGatherBatch : kGatherBatch * (t + 1) / threads;
    const int read_begin = way == kHalvesOwn ? begin : 0;
    const int read_end = way == kHalvesOwn ? end : way == kHalvesAlone ? 0 : kGatherBatch;
    float sum = 0;
    double gathering = 0;
    for (int first = 0; first + kGatherBatch <= kGatherSamples; first += kGatherBatch) {
      barrier.Wait();
      const auto start = std::chrono::steady_clock::now();
      common::GatherPixels(experiments::GatherTrain(), order.data() + first + begin, end - begin,
                           batch + static_cast<size_t>(begin) * kPixels);
      gathering += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      barrier.Wait();
      // A float of every cache line: the products' reads, without their arithmetic.
      for (size_t i = static_cast<size_t>(read_begin) * kPixels;
           i < static_cast<size_t>(read_end) * kPixels; i += 16) {
        sum += batch[i];
      }
    }
    sums[t * 16] = sum;
    if (t == 0) seconds = gathering;
  };
  std::thread other;
  if (threads == 2) other = std::thread(run, 1);
  run(0);
  if (other.joinable()) other.join();
  benchmark::DoNotOptimize(sums.data());
  return seconds;
}

void BM_GatherSplit(benchmark::State& state) {
  const Way way = static_cast<Way>(state.range(0));
  const std::vector<int> order = experiments::GatherOrder();
  experiments::GatherTrain();                                      // made before the first timing
  for (auto _ : state) state.SetIterationTime(Epoch(way, order));  // the time of one epoch
}

BENCHMARK(BM_GatherSplit)->Name("gather_split/one_thread")->Arg(kOneThread)->UseManualTime();
BENCHMARK(BM_GatherSplit)->Name("gather_split/halves")->Arg(kHalves)->UseManualTime();
BENCHMARK(BM_GatherSplit)->Name("gather_split/halves_own")->Arg(kHalvesOwn)->UseManualTime();
BENCHMARK(BM_GatherSplit)->Name("gather_split/halves_alone")->Arg(kHalvesAlone)->UseManualTime();
BENCHMARK(BM_GatherSplit)->Name("gather_split/private")->Arg(kPrivate)->UseManualTime();

}  // namespace

int main(int argc, char** argv) { return benchmarks::RunInterleaved(argc, argv); }
