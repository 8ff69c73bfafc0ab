#ifndef COMMON_NETWORK_BENCHMARK_H_
#define COMMON_NETWORK_BENCHMARK_H_

// Google Benchmarks of a stage's training step and forward pass on the timing workload's shape
// (784-128-10, batch 64), written once; a stage's network_benchmark.cc registers them with
//   NETWORK_BENCHMARKS(stage2::Network);
// and adds benchmarks of its own kernels. GFLOP/s counts as common::TrainingFlopsPerSample.

#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/model.h"
#include "common/rng.h"

namespace common {

template <typename NetworkT>
void BM_TrainStep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const std::vector<int> sizes = LayerSizes({128});
  NetworkT network(sizes);
  network.SetParameters(InitParameters(sizes, 1));
  Rng rng(2);
  std::vector<float> inputs(static_cast<size_t>(batch) * kImagePixels);
  for (float& x : inputs) x = static_cast<float>(rng.Uniform());
  std::vector<uint8_t> labels(batch);
  for (uint8_t& label : labels) label = static_cast<uint8_t>(rng.Below(kClasses));
  std::vector<float> logits(static_cast<size_t>(batch) * kClasses);
  for (auto _ : state) {
    benchmark::DoNotOptimize(network.Backward(inputs.data(), labels.data(), batch, logits.data()));
    network.ApplyGradients(1e-6f);  // tiny, so the weights stay put across iterations
  }
  state.counters["GFLOP/s"] = benchmark::Counter(TrainingFlopsPerSample(sizes) * batch / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * batch);
}

template <typename NetworkT>
void BM_Forward(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const std::vector<int> sizes = LayerSizes({128});
  NetworkT network(sizes);
  network.SetParameters(InitParameters(sizes, 1));
  std::vector<float> inputs(static_cast<size_t>(batch) * kImagePixels, 0.5f);
  std::vector<float> logits(static_cast<size_t>(batch) * kClasses);
  for (auto _ : state) {
    network.Forward(inputs.data(), batch, logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(ForwardFlopsPerSample(sizes) * batch / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * batch);
}

// A matrix product C[m][n] = op(A) · op(B) of the training step.
struct GemmShape {
  const char* name;
  bool transpose_a, transpose_b;
  int m, n, k;
};

// The network's largest products at batch 64: forward X·W1, weight gradient X^T·dH, and the
// input gradient dH·W1^T (which a layer needs whenever another layer sits before it); a large
// square one for comparison with published GEMM figures; and a small one whose operands all fit
// in the L1 cache (32 KB each), which shows what a loop can do when memory is not in the way.
inline constexpr GemmShape kGemmShapes[] = {
    {"NN", false, false, 64, 128, 784},
    {"TN", true, false, 784, 128, 64},
    {"NT", false, true, 64, 784, 128},
    {"NN", false, false, 1024, 1024, 1024},
    {"NN", false, false, 64, 128, 64},
};

inline std::string GemmName(const char* prefix, const GemmShape& s) {
  return std::string(prefix) + s.name + "/" + std::to_string(s.m) + "x" + std::to_string(s.n) +
         "x" + std::to_string(s.k);
}

// Times gemm(a, lda, b, ldb, c) (which must compute C = op(A) · op(B) with ldc = n) on random
// operands of the shape, and reports GFLOP/s.
template <typename GemmFn>
void RunGemmBenchmark(benchmark::State& state, const GemmShape& s, GemmFn gemm) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n);
  std::vector<float> c(static_cast<size_t>(s.m) * s.n);
  for (float& x : a) x = uniform(rng);
  for (float& x : b) x = uniform(rng);
  const int lda = s.transpose_a ? s.m : s.k, ldb = s.transpose_b ? s.k : s.n;
  for (auto _ : state) {
    gemm(a.data(), lda, b.data(), ldb, c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  // Flops per iteration in units of 1e9, as a rate: the column reads directly in GFLOP/s.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * s.m * s.n * s.k, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace common

#define NETWORK_BENCHMARKS(NetworkT)                                                 \
  using common::BM_Forward;                                                          \
  using common::BM_TrainStep;                                                        \
  BENCHMARK_TEMPLATE(BM_TrainStep, NetworkT)->Arg(64)->Unit(benchmark::kMicrosecond); \
  BENCHMARK_TEMPLATE(BM_Forward, NetworkT)->Arg(64)->Arg(500)->Unit(benchmark::kMicrosecond)

#endif  // COMMON_NETWORK_BENCHMARK_H_
