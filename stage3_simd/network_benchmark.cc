// bazel run [--config=native] //stage3_simd:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step on every SIMD kernel this CPU runs, then the whole
// step (forward, backward, SGD update of a 64-sample batch) and the forward pass.
// Compare medians: the machine may be shared.
#include <string>

#include "common/network_benchmark.h"
#include "stage3_simd/gemm.h"
#include "stage3_simd/network.h"

namespace {

stage3::Transpose Op(bool transpose) {
  return transpose ? stage3::Transpose::kYes : stage3::Transpose::kNo;
}

void BM_Gemm(benchmark::State& state, const stage3::Kernel* kernel, common::GemmShape s) {
  common::RunGemmBenchmark(state, s, [&](const float* a, int lda, const float* b, int ldb, float* c) {
    stage3::Gemm(*kernel, Op(s.transpose_a), Op(s.transpose_b), s.m, s.n, s.k, a, lda, b, ldb,
                 0.0f, c, s.n);
  });
}

}  // namespace

NETWORK_BENCHMARKS(stage3::Network);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (const stage3::Kernel* kernel : stage3::AvailableKernels()) {
    for (const common::GemmShape& s : common::kGemmShapes) {
      const std::string prefix = std::string("Gemm/") + kernel->name + "/";
      benchmark::RegisterBenchmark(common::GemmName(prefix.c_str(), s).c_str(), BM_Gemm, kernel, s)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
