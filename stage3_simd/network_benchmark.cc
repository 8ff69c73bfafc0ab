// bazel run [--config=native] //stage3_simd:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step on every SIMD kernel this CPU runs, then the whole
// step (forward, backward, SGD update of a 64-sample batch) and the forward pass.
// Compare medians: the machine may be shared.
#include <random>
#include <string>
#include <vector>

#include "common/network_benchmark.h"
#include "stage3_simd/gemm.h"
#include "stage3_simd/network.h"

namespace {

using stage3::Transpose;

struct Shape {
  const char* name;
  Transpose ta, tb;
  int m, n, k;
};

// The network's largest products at batch 64 (X W1, X^T dH, dH W1^T), and a large square one.
const Shape kShapes[] = {
    {"NN", Transpose::kNo, Transpose::kNo, 64, 128, 784},
    {"TN", Transpose::kYes, Transpose::kNo, 784, 128, 64},
    {"NT", Transpose::kNo, Transpose::kYes, 64, 784, 128},
    {"NN", Transpose::kNo, Transpose::kNo, 1024, 1024, 1024},
};

void BM_Gemm(benchmark::State& state, const stage3::Kernel* kernel, Shape s) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n);
  std::vector<float> c(static_cast<size_t>(s.m) * s.n);
  for (float& x : a) x = uniform(rng);
  for (float& x : b) x = uniform(rng);
  const int lda = s.ta == Transpose::kNo ? s.k : s.m, ldb = s.tb == Transpose::kNo ? s.n : s.k;
  for (auto _ : state) {
    stage3::Gemm(*kernel, s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 0.0f, c.data(),
                 s.n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  // Flops per iteration in units of 1e9, as a rate: the column reads directly in GFLOP/s.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * s.m * s.n * s.k, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

NETWORK_BENCHMARKS(stage3::Network);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (const stage3::Kernel* kernel : stage3::AvailableKernels()) {
    for (const Shape& s : kShapes) {
      const std::string name = std::string("Gemm/") + kernel->name + "/" + s.name + "/" +
                               std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                               std::to_string(s.k);
      benchmark::RegisterBenchmark(name.c_str(), BM_Gemm, kernel, s)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
