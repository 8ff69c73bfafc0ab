// bazel run //stage1_naive:network_benchmark -- --benchmark_repetitions=3
// One training step (forward, backward, SGD update) of a 64-sample batch, and the forward pass.
#include "stage1_naive/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  benchmarks::RegisterNetwork(stage1::MakeNetwork, "own");
  return benchmarks::RunBenchmarks(argc, argv);
}
