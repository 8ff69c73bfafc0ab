// bazel run [--config=native] //stage4_blas:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step on every SIMD kernel this CPU runs, then the whole
// step (forward, backward, SGD update of a 64-sample batch) and the forward pass. Compare
// medians: the machine may be shared.
#include "stage4_blas/gemm.h"
#include "stage4_blas/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  benchmarks::RegisterNetwork(stage4::MakeNetwork, "own");
  for (const stage4::Kernel* kernel : stage4::AvailableKernels()) {
    benchmarks::RegisterGemm(kernel->name,
                             [kernel](auto... args) { stage4::Gemm(*kernel, args...); });
  }
  return benchmarks::RunBenchmarks(argc, argv);
}
