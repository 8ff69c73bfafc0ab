// bazel run //stage1_naive:network_benchmark
// One training step (forward, backward, SGD update) of a 64-sample batch and the forward pass.
#include "common/network_benchmark.h"
#include "stage1_naive/network.h"

NETWORK_BENCHMARKS(stage1::Network);
