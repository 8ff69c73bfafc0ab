// bazel run //stage2_float:network_benchmark
// One training step (forward, backward, SGD update) of a 64-sample batch and the forward pass,
// and the matrix products it is made of.
#include "common/network_benchmark.h"
#include "stage2_float/gemm.h"
#include "stage2_float/network.h"

namespace {

// C[m][n] = op(A) · op(B) at the shapes of the training step (see network.cc).
void BM_Gemm(benchmark::State& state, stage2::Transpose ta, stage2::Transpose tb, int m, int n,
             int k) {
  std::vector<float> a(static_cast<size_t>(m) * k, 0.5f), b(static_cast<size_t>(k) * n, 0.25f);
  std::vector<float> c(static_cast<size_t>(m) * n);
  const int lda = ta == stage2::Transpose::kNo ? k : m;
  const int ldb = tb == stage2::Transpose::kNo ? n : k;
  for (auto _ : state) {
    stage2::Gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

using stage2::Transpose;
BENCHMARK_CAPTURE(BM_Gemm, forward_64x128x784, Transpose::kNo, Transpose::kNo, 64, 128, 784);
BENCHMARK_CAPTURE(BM_Gemm, weight_grad_784x128x64, Transpose::kYes, Transpose::kNo, 784, 128, 64);
BENCHMARK_CAPTURE(BM_Gemm, input_grad_64x784x128, Transpose::kNo, Transpose::kYes, 64, 784, 128);
BENCHMARK_CAPTURE(BM_Gemm, square_1024, Transpose::kNo, Transpose::kNo, 1024, 1024, 1024)
    ->Unit(benchmark::kMillisecond);

}  // namespace

NETWORK_BENCHMARKS(stage2::Network);
