#ifndef STAGE3_SIMD_GEMM_H_
#define STAGE3_SIMD_GEMM_H_

#include <vector>

namespace stage3 {

enum class Transpose { kNo, kYes };

// C = op(A) · op(B) + beta · C, the same contract as stage2::Gemm (row-major; lda, ldb and ldc
// are the row strides as stored; the network only uses beta 0 or 1, but any beta works). What
// changes is how it is computed: in the GotoBLAS/BLIS style, a portable driver (gemm.cc) cuts
// the product into cache-sized blocks and copies ("packs") them into the order that a tiny
// register-tiled routine, the micro-kernel, reads. Only the micro-kernel is written with one
// instruction set's intrinsics, once per instruction set; the best one is chosen at run time.
void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The micro-kernel: one mr x nr tile of C += (k steps of a packed A panel) · (k steps of a packed
// B panel). A panel holds, for each step p, the mr values of column p of A; a B panel holds, for
// each p, the nr values of row p of B. If `accumulate` is false the tile is overwritten, never
// read (so beta = 0 ignores whatever, even NaN, C held).
using MicroKernel = void (*)(int k, const float* a, const float* b, float* c, int ldc,
                             bool accumulate);

// A micro-kernel with its register tile (mr x nr) and the cache blocks that suit it: the driver
// packs mc x kc of A (meant to stay in L2) and kc x nc of B (in L3) at a time.
struct Kernel {
  const char* name;
  int mr, nr;
  int mc, kc, nc;
  MicroKernel micro;
};

// The kernels compiled into this binary that this CPU can run, fastest first. The portable one
// is always there, so tests can compare every kernel on whatever machine runs them.
std::vector<const Kernel*> AvailableKernels();

// The kernel the plain Gemm uses: AvailableKernels().front(), chosen once at the first call.
const Kernel& DefaultKernel();

// Gemm with an explicit kernel (tests and benchmarks run each kernel this way).
void Gemm(const Kernel& kernel, Transpose transpose_a, Transpose transpose_b, int m, int n, int k,
          const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace stage3

#endif  // STAGE3_SIMD_GEMM_H_
