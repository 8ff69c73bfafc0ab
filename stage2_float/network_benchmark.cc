// bazel run [--config=native] //stage2_float:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step, then the whole step (forward, backward, SGD update
// of a 64-sample batch) and the forward pass. Compare medians: the machine may be shared.
#include "stage2_float/gemm.h"
#include "stage2_float/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  benchmarks::RegisterNetwork(stage2::MakeNetwork, "own");
  benchmarks::RegisterGemm("loops", stage2::Gemm);
  return benchmarks::RunBenchmarks(argc, argv);
}
