// The portable micro-kernel: a 6 x 8 tile of C, written with GCC/Clang vector extensions.
//
// A `vector_size(16)` float vector maps to one SSE register on baseline x86-64 and one NEON
// register on ARM64, the SIMD width that every CPU of either architecture has; the compiler
// picks the instructions (on ARM64, fused multiply-adds). It is the AVX2 kernel's design at half
// the width: 6 rows x 2 vectors = 12 accumulators + 2 for B + 1 broadcast. That fits ARM64's 32
// registers; SSE2 has 16 and its two-operand instructions need one more for a temporary, so
// GCC spills a little (smaller tiles were tried: see the README).
#include <cstring>

#include "stage3_simd/kernel.h"

namespace stage3 {
namespace {

using Vec = float __attribute__((vector_size(16)));  // 4 floats
constexpr int kLanes = 4, kMr = 6, kNr = 2 * kLanes;
// Cache blocks as for the AVX2 kernel (see kernel_avx2.cc): the kc x 8 panel of B is 8 KiB, in
// L1; the mc x kc block of A 144 KiB, in L2.
constexpr int kMc = 144, kKc = 256, kNc = 4096;

// memcpy is the portable way to load/store an unaligned vector (it compiles to one movups/ldr).
Vec Load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void Store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

void MicroKernel6x8(int k, const float* a, std::ptrdiff_t rs_a, std::ptrdiff_t cs_a, const float* b,
                    float* c, int ldc, bool accumulate) {
  Vec acc[kMr][2] = {};
  // Ask for the C tile now, so that its cache lines arrive while the k loop runs instead of
  // stalling the stores at the end (C is the one operand that was not packed into cache).
#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i) {
    __builtin_prefetch(c + i * ldc);
    __builtin_prefetch(c + i * ldc + kNr - 1);
  }
#pragma GCC unroll 4
  for (int p = 0; p < k; ++p, a += cs_a, b += kNr) {
    const Vec b0 = Load(b), b1 = Load(b + kLanes);
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      const float x = a[i * rs_a];
      const Vec ai = {x, x, x, x};  // broadcast (not Vec{} + x: that adds 0.0f)
      acc[i][0] += ai * b0;
      acc[i][1] += ai * b1;
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i, c += ldc) {
    if (accumulate) {
      acc[i][0] += Load(c);
      acc[i][1] += Load(c + kLanes);
    }
    Store(c, acc[i][0]);
    Store(c + kLanes, acc[i][1]);
  }
}

}  // namespace

extern const Kernel kPortableKernel = {"portable", kMr, kNr, kMc, kKc, kNc, &MicroKernel6x8};

}  // namespace stage3
