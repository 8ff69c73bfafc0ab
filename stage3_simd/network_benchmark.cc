// bazel run [--config=native] //stage3_simd:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step on every SIMD kernel this CPU runs, then the whole
// step (forward, backward, SGD update of a 64-sample batch) and the forward pass. Compare
// medians: the machine may be shared.
#include "stage3_simd/gemm.h"
#include "stage3_simd/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  benchmarks::RegisterNetwork(stage3::MakeNetwork, "own");
  for (const stage3::Kernel* kernel : stage3::AvailableKernels()) {
    benchmarks::RegisterGemm(kernel->name,
                             [kernel](auto... args) { stage3::Gemm(*kernel, args...); });
  }
  return benchmarks::RunBenchmarks(argc, argv);
}
