// bazel run [--config=native] //stage4_blas:network_benchmark -- --benchmark_repetitions=3
// The matrix products of the training step on every backend and on every SIMD kernel of stage
// 3's this CPU runs, then the whole step (forward, backward, SGD update of a 64-sample batch) and
// the forward pass per backend. Last, what XNNPACK's operator creation (packing the weights)
// costs at the model's shapes. Compare medians: the machine may be shared.
#include <xnnpack.h>

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "stage4_blas/backends.h"
#include "stage4_blas/gemm.h"
#include "stage4_blas/network.h"
#include "testing/benchmarks.h"

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Creating (and deleting) a fully-connected operator of k inputs and n outputs: XNNPACK packs
// the k x n weights into its own buffer. `k_by_n`: weights given as [k][n] (our layout, with
// XNN_FLAG_TRANSPOSE_WEIGHTS), otherwise as [n][k] (XNNPACK's own).
void XnnpackCreate(benchmark::State& state, int k, int n, bool k_by_n) {
  const std::vector<float> weights(static_cast<size_t>(k) * n, 0.5f), bias(n, 0.1f);
  for (auto _ : state) {
    xnn_operator_t op = nullptr;
    if (xnn_create_fully_connected_nc_f32(k, n, k, n, weights.data(), bias.data(), -kInfinity,
                                          kInfinity, k_by_n ? XNN_FLAG_TRANSPOSE_WEIGHTS : 0,
                                          &op) != xnn_status_success) {
      state.SkipWithError("xnn_create_fully_connected_nc_f32 failed");
      break;
    }
    xnn_delete_operator(op);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(sizeof(float)) * k * n);
}

// Running an operator created once, as in inference: m rows through the k x n weights.
void XnnpackRun(benchmark::State& state, int m, int k, int n) {
  const std::vector<float> weights(static_cast<size_t>(k) * n, 0.01f), bias(n, 0.1f);
  std::vector<float> in(static_cast<size_t>(m) * k + XNN_EXTRA_BYTES / sizeof(float), 0.5f);
  std::vector<float> out(static_cast<size_t>(m) * n);
  xnn_operator_t op = nullptr;
  if (xnn_create_fully_connected_nc_f32(k, n, k, n, weights.data(), bias.data(), -kInfinity,
                                        kInfinity, XNN_FLAG_TRANSPOSE_WEIGHTS,
                                        &op) != xnn_status_success ||
      xnn_setup_fully_connected_nc_f32(op, m, in.data(), out.data(), nullptr) !=
          xnn_status_success) {
    state.SkipWithError("could not create the operator");
    return;
  }
  for (auto _ : state) {
    xnn_run_operator(op, nullptr);
    benchmark::DoNotOptimize(out.data());
  }
  xnn_delete_operator(op);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (const stage4::Backend& backend : stage4::Backends()) {
    const absl::StatusOr<const stage4::Backend*> ready = stage4::FindBackend(backend.name);
    if (!ready.ok()) {  // FindBackend sets each library up
      std::fprintf(stderr, "error: %s\n", std::string(ready.status().message()).c_str());
      return 1;
    }
    benchmarks::RegisterNetwork(stage4::MakeNetwork, backend.name);
    benchmarks::RegisterGemm(backend.name, backend.gemm);
  }
  for (const stage4::Kernel* kernel : stage4::AvailableKernels()) {
    if (kernel == &stage4::DefaultKernel()) continue;  // that is "own"
    benchmarks::RegisterGemm(std::string("own_") + kernel->name,
                             [kernel](auto... args) { stage4::Gemm(*kernel, args...); });
  }
  // The operators one training step creates: the two forward layers (packed after every SGD
  // step), the weight gradient's delta [64][128] and the input gradient's W2 as [128][10]. And
  // W1 in XNNPACK's own layout, [128][784], for comparison.
  const struct {
    const char* name;
    int k, n;
    bool k_by_n;
  } creates[] = {{"forward_W1/784x128", 784, 128, true},
                 {"forward_W1_as_out_by_in/784x128", 784, 128, false},
                 {"forward_W2/128x10", 128, 10, true},
                 {"weight_gradient_delta/64x128", 64, 128, true},
                 {"input_gradient_W2/10x128", 10, 128, false}};
  for (const auto& c : creates) {
    benchmark::RegisterBenchmark((std::string("XnnpackCreate/") + c.name).c_str(), XnnpackCreate,
                                 c.k, c.n, c.k_by_n)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("XnnpackRun/forward/64x128x784", XnnpackRun, 64, 784, 128)
      ->Unit(benchmark::kMicrosecond);
  return benchmarks::RunBenchmarks(argc, argv);
}
