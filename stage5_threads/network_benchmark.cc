// bazel run //stage5_threads:network_benchmark -- --benchmark_repetitions=3
#include <thread>

#include "stage5_threads/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  for (int threads = 1; threads <= cores; ++threads) {
    benchmarks::RegisterNetwork(stage5::MakeNetwork, "own", threads);
  }
  return benchmarks::RunBenchmarks(argc, argv);
}
