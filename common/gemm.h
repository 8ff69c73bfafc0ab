#ifndef COMMON_GEMM_H_
#define COMMON_GEMM_H_

namespace common {

enum class Transpose { kNo, kYes };

// The one matrix-product contract of the project, BLAS's sgemm without alpha:
//
//   C = op(A) · op(B) + beta · C
//
// All matrices are row-major. op(A) is m x k, op(B) is k x n, C is m x n; lda, ldb and ldc are the
// row strides of A, B and C as stored (before op), at least as wide as a stored row. As in BLAS,
// beta = 0 means C is only written, never read (so NaN in it does not matter); any other beta
// scales what C held. m, n or k may be 0 (k = 0 leaves beta · C).
//
// Every product of a stage's training step goes through a function of this type, so each stage
// changes only what sits under it: stage 2's loops, stage 3's SIMD kernels, stage 4's libraries,
// stage 5's threads. testing/gemm_conformance.h holds the tests every one of them passes.
using GemmFunction = void (*)(Transpose transpose_a, Transpose transpose_b, int m, int n, int k,
                              const float* a, int lda, const float* b, int ldb, float beta,
                              float* c, int ldc);

}  // namespace common

#endif  // COMMON_GEMM_H_
