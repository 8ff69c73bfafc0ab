// The AVX-512F micro-kernel: an 8 x 32 tile of C held in 16 zmm registers.
//
// Why 8 x 32: AVX-512 has 32 zmm registers of 16 floats. 8 rows x 2 vectors = 16 accumulators,
// plus 2 for the row of B and 1 broadcast, fits with room to spare; 16 independent FMA chains
// cover 2 FMA units x 4 cycles of latency twice over. Each step of k does 16 FMAs for 2 vector
// loads and 8 broadcasts. 8 rows (rather than 12 or 14) divide the network's batch of 64 and
// its 784 inputs exactly, so no FMA is wasted on the zero padding of an edge panel. A narrow
// sibling, 8 x 16, takes the products of at most 16 columns (the output layer's 10).
//
// Only this file is compiled with -mavx512f -mfma, so everything but kAvx512Kernel stays in an
// anonymous namespace (kernel.h says why).
#include <immintrin.h>

#include "stage3_simd/kernel.h"

namespace stage3 {
namespace {

constexpr int kMr = 8, kNr = 32;

// Cache blocks, for AVX-512 cores (Zen 4/5, Intel since Skylake-SP: 32-48 KiB L1d, 1-2 MiB L2).
// The kc x 32 panel of B reused from L1 takes 128 bytes per step of k: kc = 192 makes it
// 24 KiB, under a 32 KiB L1 with room for the A panel. The mc x kc block of A kept in L2 is
// 256 x 192 floats = 192 KiB. nc only bounds the packed B block (kc x nc = 3 MiB, in L3).
// Measured on an Intel Emerald Rapids VM (48 KiB L1d, 2 MiB L2) at the model's shapes: kc = 192,
// 256, 392 and 784 were within that host's noise of one another (the forward product 142-147
// GFLOP/s, 81-83 % of its 176 GFLOP/s peak; stage3_simd/README.md). Not tuned on Zen 4/5.
constexpr int kMc = 256, kKc = 192, kNc = 4096;

// One 8 x (16 * kVectors) tile: kVectors = 2 for the 8 x 32 kernel, 1 for its narrow sibling.
template <int kVectors>
void MicroKernel8xN(int k, const float* a, std::ptrdiff_t rs_a, std::ptrdiff_t cs_a, const float* b,
                    float* c, int ldc, bool accumulate) {
  constexpr int kWidth = 16 * kVectors;
  // Ask for the C tile now, so that its cache lines arrive while the k loop runs instead of
  // stalling the stores at the end (C is the one operand that was not packed into cache).
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i) {
    // A row of the 8 x 32 tile is 128 bytes: 2 cache lines if C is 64-byte aligned, 3 if not.
    // Its first, middle and last float cover all of them either way.
    __builtin_prefetch(c + i * ldc);
    if (kVectors == 2) __builtin_prefetch(c + i * ldc + 16);
    __builtin_prefetch(c + i * ldc + kWidth - 1);
  }
  __m512 acc[kMr][kVectors];  // fully unrolled below, so the compiler keeps it in registers
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) acc[i][v] = _mm512_setzero_ps();
  }

  // Per step p: one row of the B panel (one or two cache lines) is reused by all 8 rows, one
  // value of the A panel is broadcast to all the columns, and C stays in registers until the end.
#pragma GCC unroll 4
  for (int p = 0; p < k; ++p, a += cs_a, b += kWidth) {
    __m512 row_b[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) row_b[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i * rs_a]);
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[i][v] = _mm512_fmadd_ps(ai, row_b[v], acc[i][v]);
    }
  }

#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i, c += ldc) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) {
      if (accumulate) acc[i][v] = _mm512_add_ps(acc[i][v], _mm512_loadu_ps(c + 16 * v));
      _mm512_storeu_ps(c + 16 * v, acc[i][v]);
    }
  }
}

// The output layer's products are 10 columns wide. The 8 x 32 tile would spend 22 of every 32
// FMAs on padding there; 8 x 16 spends 6. Its 8 accumulators just cover 2 FMA units x 4 cycles
// of latency, enough for these small products (the driver only picks it for n <= 16).
const Kernel kAvx512NarrowKernel = {"avx512_narrow", kMr, 16, kMc, kKc, kNc, &MicroKernel8xN<1>};

}  // namespace

extern const Kernel kAvx512Kernel = {
    "avx512", kMr, kNr, kMc, kKc, kNc, &MicroKernel8xN<2>, &kAvx512NarrowKernel};

}  // namespace stage3
