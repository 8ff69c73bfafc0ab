// bazel run //experiments:sgd_layout_benchmark -- --benchmark_repetitions=5
//
// Why stage 5 keeps each thread's share of a hidden layer's weights as a block of its own.
// The SGD update of the first layer, w -= rate * g over 784 x 128 floats, three ways:
//   whole      one thread, the row-major matrix (as stages 1-4 keep it);
//   half_rows  two threads, each its 64 columns of every 128-float row of the same matrix
//              (stage 5's first split: no cache line is written by both threads);
//   own_block  two threads, each its own contiguous 784 x 64 block (stage 5 now).
// All three do the same work per update of the whole layer; the threads run at the same time,
// as in the training step. bytes_per_second counts what the update reads and writes (w, g, w).

#include "benchmark/benchmark.h"
#include "common/model.h"
#include "testing/benchmarks.h"

namespace {

constexpr int kRows = 784, kColumns = 128, kHalf = kColumns / 2;
constexpr float kRate = 1e-9f;  // keeps the weights where they are

// One matrix of weights and one of gradients, shared by the threads of a benchmark.
common::Floats& Weights() {
  static common::Floats w(kRows * kColumns, 0.5f);
  return w;
}
common::Floats& Gradients() {
  static common::Floats g(kRows * kColumns, 0.25f);
  return g;
}

// Columns [begin, end) of every row of a matrix with rows of `ld` floats.
void Update(float* w, const float* g, int ld, int begin, int end) {
  for (int i = 0; i < kRows; ++i) {
    float* wr = w + static_cast<size_t>(i) * ld;
    const float* gr = g + static_cast<size_t>(i) * ld;
    for (int j = begin; j < end; ++j) wr[j] -= kRate * gr[j];
  }
}

void Count(benchmark::State& state, int columns) {
  state.SetBytesProcessed(state.iterations() * int64_t{3} * sizeof(float) * kRows * columns);
}

void BM_Whole(benchmark::State& state) {
  for (auto _ : state) {
    Update(Weights().data(), Gradients().data(), kColumns, 0, kColumns);
    benchmark::ClobberMemory();
  }
  Count(state, kColumns);
}

void BM_HalfRows(benchmark::State& state) {
  const int begin = state.thread_index() * kHalf;
  for (auto _ : state) {
    Update(Weights().data(), Gradients().data(), kColumns, begin, begin + kHalf);
    benchmark::ClobberMemory();
  }
  Count(state, kHalf);
}

void BM_OwnBlock(benchmark::State& state) {
  const size_t offset = static_cast<size_t>(state.thread_index()) * kRows * kHalf;
  for (auto _ : state) {
    Update(Weights().data() + offset, Gradients().data() + offset, kHalf, 0, kHalf);
    benchmark::ClobberMemory();
  }
  Count(state, kHalf);
}

BENCHMARK(BM_Whole)->Name("sgd_update/whole/1_thread")->UseRealTime();
BENCHMARK(BM_HalfRows)->Name("sgd_update/half_rows")->Threads(2)->UseRealTime();
BENCHMARK(BM_OwnBlock)->Name("sgd_update/own_block")->Threads(2)->UseRealTime();

}  // namespace

int main(int argc, char** argv) { return benchmarks::RunInterleaved(argc, argv); }
