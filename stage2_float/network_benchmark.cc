// bazel run [--config=native] //stage2_float:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step, then the whole step (forward, backward, SGD update
// of a 64-sample batch) and the forward pass. Compare medians: the machine may be shared.
#include "common/network_benchmark.h"
#include "stage2_float/gemm.h"
#include "stage2_float/network.h"

namespace {

stage2::Transpose Op(bool transpose) {
  return transpose ? stage2::Transpose::kYes : stage2::Transpose::kNo;
}

void BM_Gemm(benchmark::State& state, common::GemmShape s) {
  common::RunGemmBenchmark(state, s, [&](const float* a, int lda, const float* b, int ldb, float* c) {
    stage2::Gemm(Op(s.transpose_a), Op(s.transpose_b), s.m, s.n, s.k, a, lda, b, ldb, 0.0f, c, s.n);
  });
}

}  // namespace

NETWORK_BENCHMARKS(stage2::Network);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (const common::GemmShape& s : common::kGemmShapes) {
    benchmark::RegisterBenchmark(common::GemmName("Gemm/", s).c_str(), BM_Gemm, s)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
