#ifndef COMMON_NETWORK_BENCHMARK_H_
#define COMMON_NETWORK_BENCHMARK_H_

// Google Benchmarks of a stage's training step and forward pass on the timing workload's shape
// (784-128-10, batch 64), written once; a stage's network_benchmark.cc registers them with
//   NETWORK_BENCHMARKS(stage2::Network);
// and adds benchmarks of its own kernels. GFLOP/s counts as common::TrainingFlopsPerSample.

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

}  // namespace common

#define NETWORK_BENCHMARKS(NetworkT)                                                 \
  using common::BM_Forward;                                                          \
  using common::BM_TrainStep;                                                        \
  BENCHMARK_TEMPLATE(BM_TrainStep, NetworkT)->Arg(64)->Unit(benchmark::kMicrosecond); \
  BENCHMARK_TEMPLATE(BM_Forward, NetworkT)->Arg(64)->Arg(500)->Unit(benchmark::kMicrosecond)

#endif  // COMMON_NETWORK_BENCHMARK_H_
