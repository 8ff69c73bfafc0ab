// fma_peak: measures the peak fp32 FMA throughput of one core (or all) for each vector width the
// CPU has, so GEMM results can be quoted as a fraction of what the hardware can do at all.
//
// Peak = cores x FMA units x lanes x 2 flops (multiply + add) x clock. E.g. one Zen 3 core with
// two 256-bit FMA pipes: 1 x 2 x 8 x 2 = 32 flop/cycle, ~110 GFLOP/s at 3.5 GHz. We measure
// rather than multiply because the clock is the unknown: the result includes whatever clock the
// core really sustains under FMA load (turbo, AVX-512 down-clocking, a VM's host), which is
// also the clock a GEMM kernel runs at.
//
// An FMA has ~4 cycles latency and two pipes issue one each per cycle, so at least 8 independent
// dependency chains are needed to keep both pipes busy; we run 12, which still fit in 16
// registers with the two constants and so never touch memory.
//
// With --threads=N, N threads run the same loop at the same moment and their flops are summed:
// the all-core peak that a threaded GEMM is quoted against. It is measured too, not multiplied
// by N, because all cores busy may run at a lower clock than one, and a VM's "cores" may share
// physical cores or be taken by the host.
//
// Usage: fma_peak [--seconds=S] [--threads=N]
//   S: time per width (default 0.4 s, split over 5 runs); N: 0 = all cores (default 1).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"

ABSL_FLAG(double, seconds, 0.4, "measuring time per vector width, split over 5 runs");
ABSL_FLAG(int32_t, threads, 1,
          "threads running the FMA loop at once, their GFLOP/s summed; 0 = all cores");

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

constexpr int kChains = 12;
constexpr int kRuns = 5;

// The accumulators' sum is stored here, so the compiler must run every iteration. Threads race
// on it; the value is never read, only the stores matter.
volatile float g_sink;

// A macro rather than a template: each width's loop must be compiled inside its own
// target("...") function, the only place where that width's intrinsics are allowed.
// acc = acc * x + y with x just below 1 converges, so values stay normal (no denormal stalls).
#define FMA_PEAK_BODY(V, FMA)                                                              \
  constexpr int kLanes = sizeof(V) / sizeof(float);                                        \
  V acc[kChains], x, y;                                                                    \
  for (int l = 0; l < kLanes; ++l) {                                                       \
    x[l] = 0.9999999f;                                                                     \
    y[l] = 1e-7f;                                                                          \
    for (int c = 0; c < kChains; ++c) acc[c][l] = 1.0f + c + l;                            \
  }                                                                                        \
  for (long i = 0; i < iters; ++i) {                                                       \
    _Pragma("GCC unroll 12") for (int c = 0; c < kChains; ++c) acc[c] = FMA(acc[c], x, y); \
  }                                                                                        \
  float sum = 0;                                                                           \
  for (int c = 0; c < kChains; ++c)                                                        \
    for (int l = 0; l < kLanes; ++l) sum += acc[c][l];                                     \
  g_sink = sum;                                                                            \
  return 2.0 * kLanes * kChains * iters;  // flops done

// Portable 128-bit path (GCC vector extension). On ARM64 a*b+c contracts into one NEON fmla;
// on baseline x86-64 (SSE2, no FMA) it is a mulps plus an addps: still 2 flops per lane, and
// what stage 1/2 code built without --config=native can reach at best.
typedef float F32x4 __attribute__((vector_size(16)));
inline F32x4 MulAdd(F32x4 a, F32x4 b, F32x4 c) { return a * b + c; }
__attribute__((noinline)) double Fma128(long iters) { FMA_PEAK_BODY(F32x4, MulAdd) }

#if defined(__x86_64__)
__attribute__((noinline, target("avx2,fma"))) double Fma256(long iters) {
  FMA_PEAK_BODY(__m256, _mm256_fmadd_ps)
}
__attribute__((noinline, target("avx512f"))) double Fma512(long iters) {
  FMA_PEAK_BODY(__m512, _mm512_fmadd_ps)
}
#endif

double Seconds(double (*kernel)(long), long iters, double* flops) {
  auto start = std::chrono::steady_clock::now();
  *flops = kernel(iters);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One run on `threads` threads that start together (a barrier): all the flops over the slowest
// thread's time, the rate the machine sustained while every thread was busy.
double ParallelGflops(double (*kernel)(long), long iters, int threads) {
  std::vector<double> flops(threads), seconds(threads);
  absl::Barrier* start = new absl::Barrier(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      if (start->Block()) delete start;  // the last thread through frees it
      seconds[t] = Seconds(kernel, iters, &flops[t]);
    });
  }
  for (std::thread& worker : workers) worker.join();
  double total = 0;
  for (double f : flops) total += f;
  return total / *std::max_element(seconds.begin(), seconds.end());
}

// Best of kRuns runs of ~seconds/kRuns each: the best run is the one least disturbed by other
// processes, interrupts and clock ramp-up.
double PeakGflops(double (*kernel)(long), double seconds, int threads) {
  long iters = 1 << 14;
  double flops, t;
  while ((t = Seconds(kernel, iters, &flops)) < 0.02) iters *= 2;  // calibrate, warm the clock
  iters = static_cast<long>(iters * (seconds / kRuns) / t) + 1;
  double best = 0;
  for (int r = 0; r < kRuns; ++r) best = std::max(best, ParallelGflops(kernel, iters, threads));
  return best / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures the fp32 FMA peak of each vector width.\nUsage: fma_peak [--seconds=S] "
      "[--threads=N]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  int threads = absl::GetFlag(FLAGS_threads);
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return 1;
  };
  if (rest.size() > 1) {
    return fail(absl::StrCat("unexpected argument '", rest[1], "': options are --flag=value"));
  }
  if (!(seconds > 0)) return fail(absl::StrCat("--seconds=", seconds, ": must be more than 0"));
  if (threads < 0) {
    return fail(absl::StrCat("--threads=", threads, ": must be 0 (all cores) or more"));
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const std::string who = threads == 1 ? "1 core" : absl::StrCat(threads, " threads at once");
  auto report = [&](const char* width, double gflops) {
    std::printf("fp32 FMA peak, %s, %s: %.1f GFLOP/s\n", who.c_str(), width, gflops);
  };
#if defined(__x86_64__)
  // null in the JSON for widths this CPU (or its OS) does not support.
  char avx512[32] = "null", avx2[32] = "null";
  if (__builtin_cpu_supports("avx512f")) {
    double g = PeakGflops(Fma512, seconds, threads);
    report("512-bit (avx512f)", g);
    std::snprintf(avx512, sizeof avx512, "%.1f", g);
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    double g = PeakGflops(Fma256, seconds, threads);
    report("256-bit (avx2+fma)", g);
    std::snprintf(avx2, sizeof avx2, "%.1f", g);
  }
  double sse = PeakGflops(Fma128, seconds, threads);
#if defined(__FMA__)  // --config=native: the compiler fused a*b+c
  report("128-bit (sse, fma)", sse);
#else
  report("128-bit (sse2 mul+add, no fma)", sse);
#endif
  std::printf("{\"fma_peak_gflops\":{\"avx512\":%s,\"avx2\":%s,\"sse\":%.1f},\"threads\":%d}\n",
              avx512, avx2, sse, threads);
#else
  double neon = PeakGflops(Fma128, seconds, threads);
  report("128-bit (neon)", neon);
  std::printf("{\"fma_peak_gflops\":{\"neon\":%.1f},\"threads\":%d}\n", neon, threads);
#endif
  return 0;
}
