// Element type and loop order in matrix multiplication, after a blog post's numpy experiment:
// 1000 products of random 100x100 matrices took 101 ms as float64 (numpy calls BLAS), 948 ms as
// integers (no BLAS for ints: numpy's own generic loop), and 65 ms with MKL on several cores.
//
// Here no type gets BLAS: the same templated loops run for int32, double and float, in two
// orders, so what separates them is how well the compiler can vectorize the inner loop.
//  - i-j-k: the inner loop walks B down a column (stride n) and reduces into one scalar. A
//    floating-point sum may not be reordered (no -ffast-math), so GCC -O3 vectorizes the j loop
//    instead, for every type: one vector holds the sums of 2-8 adjacent columns, and each k step
//    waits for the previous add (latency-bound, a single dependency chain).
//  - i-k-j: the inner loop streams a row of B into a row of C (stride 1) and its iterations are
//    independent, so many vector multiply-adds are in flight at once (throughput-bound); float
//    gets twice double's lanes. Baseline x86-64 (SSE2) has no 32-bit integer vector multiply
//    (pmulld is SSE4.1), so int32 is emulated there; --config=native gets it, and FMA.
//
// Run: bazel run [--config=native] //experiments:matmul_types_benchmark --
//        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

namespace {

constexpr int kN = 100;       // matrices are kN x kN
constexpr int kPairs = 1000;  // products per benchmark iteration, as in the post
constexpr std::size_t kSize = std::size_t{kN} * kN;

enum class Order { kIJK, kIKJ };

// kPairs A and B matrices each, row-major, one after another: 1000 distinct pairs as in the post
// (80 MB for 4-byte types, more than L3), so each product starts from inputs not yet in cache.
template <typename T>
struct Pairs {
  std::vector<T> a, b;
};

// Built once per type and shared by both orders and all repetitions: generating 20M random
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

// __restrict: C aliases neither input, so the compiler needs no run-time overlap check.
template <typename T>
void ProductIJK(const T* __restrict a, const T* __restrict b, T* __restrict c) {
  for (int i = 0; i < kN; ++i) {
    for (int j = 0; j < kN; ++j) {
      T sum = 0;
      for (int k = 0; k < kN; ++k) sum += a[i * kN + k] * b[k * kN + j];
      c[i * kN + j] = sum;
    }
  }
}

template <typename T>
void ProductIKJ(const T* __restrict a, const T* __restrict b, T* __restrict c) {
  for (int i = 0; i < kN; ++i) {
    T* ci = c + i * kN;
    for (int j = 0; j < kN; ++j) ci[j] = 0;
    for (int k = 0; k < kN; ++k) {
      const T aik = a[i * kN + k];
      const T* bk = b + k * kN;
      for (int j = 0; j < kN; ++j) ci[j] += aik * bk[j];
    }
  }
}

template <typename T, Order kOrder>
void BM_Products(benchmark::State& state) {
  const Pairs<T>& pairs = RandomPairs<T>();
  std::vector<T> c(kSize);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (int p = 0; p < kPairs; ++p) {
      const T* a = pairs.a.data() + p * kSize;
      const T* b = pairs.b.data() + p * kSize;
      if constexpr (kOrder == Order::kIJK) {
        ProductIJK(a, b, c.data());
      } else {
        ProductIKJ(a, b, c.data());
      }
      // Every product's result counts as used, so none of the 1000 can be skipped.
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    }
  }
  // Wall time, as numpy's timing was (and as the rate below, via UseRealTime); timed here
  // because an inverted rate counter would print in the console with an "s" unit.
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  state.counters["ms_per_1000"] = elapsed.count() / state.iterations();
  // n^3 multiply-adds = 2 n^3 operations per product, counted in units of 1e9.
  state.counters[std::is_integral_v<T> ? "GOP/s" : "GFLOP/s"] = benchmark::Counter(
      2.0 * kN * kN * kN * kPairs / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_TEMPLATE(BM_Products, int32_t, Order::kIJK)
    ->Name("int32/ijk")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Products, int32_t, Order::kIKJ)
    ->Name("int32/ikj")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Products, double, Order::kIJK)
    ->Name("double/ijk")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Products, double, Order::kIKJ)
    ->Name("double/ikj")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Products, float, Order::kIJK)
    ->Name("float/ijk")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Products, float, Order::kIKJ)
    ->Name("float/ikj")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
