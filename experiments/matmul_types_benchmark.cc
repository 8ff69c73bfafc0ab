// The blog post's experiment: numpy multiplied 1000 pairs of random 100x100 matrices in 101 ms
// as float64 (numpy calls BLAS), 948 ms as integers (no BLAS for integers: numpy's own generic
// loop), and 65 ms with MKL on several cores. Here the same 1000 products, in our own loops and
// through the libraries of stage 4, in ms per 1000 products and GFLOP/s (GOP/s for integers).
//
// Our loops (matmul_products.h) run for int32, double and float in two orders, so what
// separates the types is how well the compiler vectorizes the inner loop:
//  - i-j-k: the inner loop walks B down a column (stride n) and reduces into one scalar. A
//    floating-point sum may not be reordered (no -ffast-math), so GCC -O3 vectorizes the j loop
//    instead, for every type: one vector holds the sums of 2-8 adjacent columns, and each k step
//    waits for the previous add (latency-bound, a single dependency chain).
//  - i-k-j: the inner loop streams a row of B into a row of C (stride 1) and its iterations are
//    independent, so many vector multiply-adds are in flight at once (throughput-bound); float
//    gets twice double's lanes. Baseline x86-64 (SSE2) has no 32-bit integer vector multiply
//    (pmulld is SSE4.1), so int32 is emulated there; --config=native gets it, and FMA.
// The libraries: OpenBLAS (sgemm, dgemm) on one thread and on every core, Eigen on one thread
// (float, double, and int32, which it also blocks and vectorizes), and XNNPACK's fully connected
// operator, which first packs B into its own layout: once per pair when every pair is new
// (float/xnnpack_pack_each), or for all 1000 before the clock starts (float/xnnpack_prepacked).
// OpenBLAS and XNNPACK pick their kernels for this CPU at run time; Eigen and our loops get what
// the build allows (--config=native: AVX2 and FMA here).
//
// Run: bazel run [--config=native] //experiments:matmul_types_benchmark --
//        --benchmark_repetitions=3
// Repetitions run interleaved in random order and only their aggregates are shown. Time (wall)
// and CPU are ms per 1000 products; GFLOP/s comes from CPU time on one thread, from wall time
// on all cores.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "experiments/matmul_products.h"
#include "testing/benchmarks.h"

namespace {

constexpr int kN = 100;       // matrices are kN x kN
constexpr int kPairs = 1000;  // products per benchmark iteration, as in the post
constexpr std::size_t kSize = std::size_t{kN} * kN;

// kPairs A and B matrices each, row-major, one after another: 1000 distinct pairs as in the post
// (80 MB for 4-byte types, more than L3), so each product starts from inputs not yet in cache.
template <typename T>
struct Pairs {
  std::vector<T> a, b;
  const T* A(int p) const { return a.data() + p * kSize; }
  const T* B(int p) const { return b.data() + p * kSize; }
};

// Built once per type and shared by every benchmark and repetition: generating 20M random
// numbers costs about as much as the products, and the library calls each benchmark repeatedly.
template <typename T>
const Pairs<T>& RandomPairs() {
  static const Pairs<T> pairs = [] {
    std::mt19937 rng(2024);
    auto fill = [&rng](std::vector<T>& v) {
      v.resize(kPairs * kSize);
      for (T& x : v) {
        // Ints 0..99 as in the post; sums reach at most 100 * 99 * 99, well inside int32.
        if constexpr (std::is_integral_v<T>) {
          x = std::uniform_int_distribution<T>(0, 99)(rng);
        } else {
          x = std::uniform_real_distribution<T>(0, 1)(rng);
        }
      }
    };
    Pairs<T> p;
    fill(p.a);
    fill(p.b);
    return p;
  }();
  return pairs;
}

// Runs the 1000 products `product(p, c)` (p = pair index) per iteration: the Time and CPU
// columns read in ms per 1000 products.
template <typename T, typename Product>
void TimePairs(benchmark::State& state, Product product) {
  std::vector<T> c(kSize);
  for (auto _ : state) {
    for (int p = 0; p < kPairs; ++p) {
      product(p, c.data());
      // Every product's result counts as used, so none of the 1000 can be skipped.
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    }
  }
  // n^3 multiply-adds = 2 n^3 operations per product, counted in units of 1e9.
  state.counters[std::is_integral_v<T> ? "GOP/s" : "GFLOP/s"] = benchmark::Counter(
      2.0 * kN * kN * kN * kPairs / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

enum class Order { kIjk, kIkj };

template <typename T, Order kOrder>
void BM_Loops(benchmark::State& state) {
  const Pairs<T>& pairs = RandomPairs<T>();
  TimePairs<T>(state, [&pairs](int p, T* c) {
    if constexpr (kOrder == Order::kIjk) {
      matmul::LoopsIjk<T, kN>(pairs.A(p), pairs.B(p), c);
    } else {
      matmul::LoopsIkj<T, kN>(pairs.A(p), pairs.B(p), c);
    }
  });
}

template <typename T>
void BM_Eigen(benchmark::State& state) {
  const Pairs<T>& pairs = RandomPairs<T>();
  TimePairs<T>(state, [&pairs](int p, T* c) { matmul::Eigen(kN, pairs.A(p), pairs.B(p), c); });
}

// kThreads = 0: one thread per core.
template <typename T, int kThreads>
void BM_OpenBlas(benchmark::State& state) {
  const int threads =
      kThreads > 0 ? kThreads : static_cast<int>(std::thread::hardware_concurrency());
  const Pairs<T>& pairs = RandomPairs<T>();
  matmul::SetOpenBlasThreads(threads);
  TimePairs<T>(state, [&pairs](int p, T* c) { matmul::OpenBlas(kN, pairs.A(p), pairs.B(p), c); });
  matmul::SetOpenBlasThreads(1);
  state.counters["threads"] = threads;
}

// Every pair is new, so XNNPACK packs each B before multiplying: creating the operator is part
// of every product.
void BM_XnnpackPackEach(benchmark::State& state) {
  const Pairs<float>& pairs = RandomPairs<float>();
  bool ok = true;
  TimePairs<float>(state, [&](int p, float* c) {
    auto product = matmul::XnnpackProduct::Create(kN, pairs.B(p));
    ok = ok && product.ok() && (*product)->Multiply(pairs.A(p), c).ok();
  });
  if (!ok) state.SkipWithError("XNNPACK failed");
}

// All 1000 Bs packed before the clock starts: what XNNPACK costs when the weights are reused,
// as a network's are.
void BM_XnnpackPrepacked(benchmark::State& state) {
  const Pairs<float>& pairs = RandomPairs<float>();
  std::vector<std::unique_ptr<matmul::XnnpackProduct>> products;
  for (int p = 0; p < kPairs; ++p) {
    auto product = matmul::XnnpackProduct::Create(kN, pairs.B(p));
    if (!product.ok()) {
      state.SkipWithError(std::string(product.status().message()).c_str());
      return;
    }
    products.push_back(std::move(*product));
  }
  bool ok = true;
  TimePairs<float>(state,
                   [&](int p, float* c) { ok = products[p]->Multiply(pairs.A(p), c).ok() && ok; });
  if (!ok) state.SkipWithError("XNNPACK failed");
}

// One thread: rates from CPU time, which on a shared machine leaves out the time other
// processes had the core. All cores: rates from wall time, as numpy's was.
void Register(const char* name, void (*function)(benchmark::State&), bool all_cores = false) {
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name, function);
  b->Unit(benchmark::kMillisecond);
  if (all_cores) b->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  if (!benchmarks::InitializeInterleaved(argc, argv)) return 1;

  Register("int32/ijk", BM_Loops<int32_t, Order::kIjk>);
  Register("int32/ikj", BM_Loops<int32_t, Order::kIkj>);
  Register("int32/eigen", BM_Eigen<int32_t>);
  Register("double/ijk", BM_Loops<double, Order::kIjk>);
  Register("double/ikj", BM_Loops<double, Order::kIkj>);
  Register("double/eigen", BM_Eigen<double>);
  Register("double/openblas", BM_OpenBlas<double, 1>);
  Register("double/openblas_all_cores", BM_OpenBlas<double, 0>, /*all_cores=*/true);
  Register("float/ijk", BM_Loops<float, Order::kIjk>);
  Register("float/ikj", BM_Loops<float, Order::kIkj>);
  Register("float/eigen", BM_Eigen<float>);
  Register("float/openblas", BM_OpenBlas<float, 1>);
  Register("float/openblas_all_cores", BM_OpenBlas<float, 0>, /*all_cores=*/true);
  Register("float/xnnpack_pack_each", BM_XnnpackPackEach);
  Register("float/xnnpack_prepacked", BM_XnnpackPrepacked);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
