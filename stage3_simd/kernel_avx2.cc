// The AVX2 + FMA micro-kernel: a 6 x 16 tile of C held in 12 ymm registers.
//
// Why 6 x 16: x86-64 has 16 ymm registers. 6 rows x 2 vectors of 8 columns = 12 accumulators,
// plus 2 for the row of B and 1 for the broadcast value of A, leaves one spare. Each step of k
// then does 12 FMAs for 2 vector loads and 6 broadcasts, and 12 independent accumulators are
// more than the 2 FMA units x 4-5 cycles of latency need to stay busy.
//
// Only this file is compiled with -mavx2 -mfma, so everything but kAvx2Kernel stays in an
// anonymous namespace (kernel.h says why).
#include <immintrin.h>

#include "stage3_simd/kernel.h"

namespace stage3 {
namespace {

constexpr int kMr = 6, kNr = 16;

// Cache blocks, for AVX2 cores like this Zen 3 (32 KiB L1d, 512 KiB L2 per core). A kc x 16
// panel of B is reused from L1 by every 6-row panel of A: kc = 256 makes it 16 KiB, half of L1,
// leaving room for the A panel and the C tile streaming through. The mc x kc block of A stays in
// L2 across all the panels of B: 144 x 256 floats = 144 KiB, under half of L2 (packed B and C
// pass through it too). nc only bounds the packed B block (kc x nc = 4 MiB, in L3); the
// network's n is at most 784. (The README has what other sizes measured.)
constexpr int kMc = 144, kKc = 256, kNc = 4096;

void MicroKernel6x16(int k, const float* a, std::ptrdiff_t rs_a, std::ptrdiff_t cs_a,
                     const float* b, float* c, int ldc, bool accumulate) {
  // Ask for the C tile now, so that its cache lines arrive while the k loop runs instead of
  // stalling the stores at the end (C is the one operand that was not packed into cache).
#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i) {  // a 64-byte row: 1 cache line if aligned, else 2
    __builtin_prefetch(c + i * ldc);
    __builtin_prefetch(c + i * ldc + kNr - 1);
  }
  __m256 acc[kMr][2];  // fully unrolled below, so the compiler keeps it in registers
#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i) {
    acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  }

  // The whole point: per step p, one row of the B panel is loaded once and reused by all 6 rows,
  // one value of the A panel is broadcast and reused by all 16 columns, and C never leaves the
  // registers. Unrolling k by 4 amortizes the loop overhead.
#pragma GCC unroll 4
  for (int p = 0; p < k; ++p, a += cs_a, b += kNr) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i * rs_a);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }

#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i, c += ldc) {
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(c));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(c + 8));
    }
    _mm256_storeu_ps(c, acc[i][0]);
    _mm256_storeu_ps(c + 8, acc[i][1]);
  }
}

}  // namespace

extern const Kernel kAvx2Kernel = {"avx2", kMr, kNr, kMc, kKc, kNc, &MicroKernel6x16};

}  // namespace stage3
