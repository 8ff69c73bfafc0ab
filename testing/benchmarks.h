#ifndef TESTING_BENCHMARKS_H_
#define TESTING_BENCHMARKS_H_

// The Google Benchmarks every stage runs, written once: the training step and forward pass on
// the timing workload's shape (784-128-10, batch 64), and the matrix products of that step.
// A stage's network_benchmark.cc registers them for each way it computes:
//
//   benchmarks::RegisterNetwork(stage2::MakeNetwork, "own");
//   benchmarks::RegisterGemm("loops", stage2::Gemm);
//
// Benchmarks report GFLOP/s as counters: common::TrainingFlopsPerSample for the step,
// 2 m n k for a product. Debian's libbenchmark prints "Library was built as DEBUG": that is about
// the library, not the code it times.

#include <functional>
#include <string>

#include "common/gemm.h"
#include "common/network.h"

namespace benchmarks {

// TrainStep/<gemm>[/<threads>t]/64 (forward, backward and SGD update of a batch) and
// Forward/<gemm>[/<threads>t]/64 and /500 (evaluation chunks).
void RegisterNetwork(common::NetworkFactory factory, const std::string& gemm, int threads = 0);

using Gemm = std::function<void(common::Transpose transpose_a, common::Transpose transpose_b, int m,
                                int n, int k, const float* a, int lda, const float* b, int ldb,
                                float beta, float* c, int ldc)>;

// Gemm/<name>/<NN|TN|NT>/<m>x<n>x<k> for each shape in kGemmShapes.
void RegisterGemm(const std::string& name, Gemm gemm);

// The products timed: the network's largest at batch 64 (forward X·W1, weight gradient X^T·dH,
// input gradient dH·W1^T, which a layer needs whenever another sits before it); a large square
// one, to compare with published GEMM figures; one whose operands all fit in the L1 cache
// (32 KB each), which shows what a loop does when memory is not in the way; and the output
// layer's three, 10 columns or 10 deep, where a kernel's padding and the driver's overhead show.
struct GemmShape {
  bool transpose_a, transpose_b;
  int m, n, k;
};
inline constexpr GemmShape kGemmShapes[] = {
    {false, false, 64, 128, 784},
    {true, false, 784, 128, 64},
    {false, true, 64, 784, 128},
    {false, false, 1024, 1024, 1024},
    {false, false, 64, 128, 64},
    // the output layer's: forward, weight gradient, input gradient (10 = the classes)
    {false, false, 64, 10, 128},
    {true, false, 128, 10, 64},
    {false, true, 64, 128, 10},
};

// Initializes the library, runs what the command line selects, and returns main's exit code.
int RunBenchmarks(int argc, char** argv);

// Initializes the library for the experiments, whose tables compare medians: repetitions run in a
// random interleaved order and only their aggregates are shown, unless the command line says
// otherwise; then prints the line naming this machine, which every figure needs. Returns false
// (after saying why) if an argument is not understood.
bool InitializeInterleaved(int argc, char** argv);

// InitializeInterleaved, then runs what the command line selects; returns main's exit code.
int RunInterleaved(int argc, char** argv);

}  // namespace benchmarks

#endif  // TESTING_BENCHMARKS_H_
