// bazel run [--config=native] //stage5_threads:network_benchmark -- --benchmark_repetitions=3
// First each library's products on all cores, then how each backend scales: the whole training
// step (forward, backward, SGD update of a 64-sample batch) and the forward pass on 1 .. all
// cores, ours split by hidden units, the libraries' on their own threads. Times are wall-clock.
// Compare medians: the machine may be shared.
#include <string>
#include <thread>
#include <utility>

#include "stage5_threads/backends.h"
#include "stage5_threads/network.h"
#include "testing/benchmarks.h"

int main(int argc, char** argv) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // The GEMMs run first, one library after another: a library keeps one thread setting per
  // process, so each sets its threads before its first product.
  for (const stage5::Backend& backend : stage5::Backends()) {
    if (backend.set_threads == nullptr) continue;  // own: its GEMM is stage 4's, on one thread
    benchmarks::RegisterGemm(backend.name + ("/" + std::to_string(cores) + "t"),
                             [&backend, cores](auto... args) {
                               static const stage5::Backend* current = nullptr;
                               if (current != &backend) {
                                 stage5::FindBackend(backend.name, cores).IgnoreError();
                                 current = &backend;
                               }
                               backend.gemm(args...);
                             });
  }
  for (const stage5::Backend& backend : stage5::Backends()) {
    for (int threads = 1; threads <= cores; ++threads) {
      benchmarks::RegisterNetwork(stage5::MakeNetwork, backend.name, threads);
    }
  }
  return benchmarks::RunBenchmarks(argc, argv);
}
