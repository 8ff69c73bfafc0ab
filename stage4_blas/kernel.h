#ifndef STAGE4_BLAS_KERNEL_H_
#define STAGE4_BLAS_KERNEL_H_

// The interface between the portable driver (gemm.cc) and the micro-kernels (kernel_*.cc).
//
// Each kernel_*.cc is the only file compiled with its instruction set's flags (-mavx2 -mfma,
// -mavx512f; see BUILD), and the CPU is asked before a kernel is used (AvailableKernels in
// gemm.cc). That is only safe if no code from a kernel file can run without that check, so
// each kernel file keeps everything in an anonymous namespace except its `const Kernel`: an
// inline function with external linkage (a header helper, a template such as std::vector's) is
// emitted in every object file that uses it, and the linker keeps any one copy. Were it the copy
// compiled with -mavx512f, an AVX2-only CPU would meet AVX-512 instructions outside the kernel
// and die with SIGILL. This header therefore holds only types; a kernel file includes nothing
// else of ours. The Kernel constant itself is data, not code: nothing in a kernel file runs at
// start-up.

#include <cstddef>

namespace stage4 {

// One mr x nr tile of C += (k steps of an A panel) · (k steps of a packed B panel).
// The A panel's value of row i at step p is a[i * rs_a + p * cs_a]: packed (rs_a = 1,
// cs_a = mr) or read where it lies in A (row-major: rs_a = lda, cs_a = 1; stored transposed:
// rs_a = 1, cs_a = lda). The B panel holds, for each p, the nr values of row p of B side by side.
// If `accumulate` is false the tile is overwritten, never read (so beta = 0 ignores whatever,
// even NaN, C held).
using MicroKernel = void (*)(int k, const float* a, std::ptrdiff_t rs_a, std::ptrdiff_t cs_a,
                             const float* b, float* c, int ldc, bool accumulate);

// A micro-kernel with its register tile (mr x nr) and the cache blocks that suit it: the driver
// packs mc x kc of A (meant to stay in L2) and kc x nc of B (in L3) at a time.
struct Kernel {
  const char* name;
  int mr, nr;
  int mc, kc, nc;
  MicroKernel micro;
  // A sibling with narrower tiles for products at most its nr columns wide, or nullptr. The
  // output layer's products are 10 wide: in a 32-wide tile, 22 of every 32 FMAs would add zeros.
  const Kernel* narrow = nullptr;
};

}  // namespace stage4

#endif  // STAGE4_BLAS_KERNEL_H_
