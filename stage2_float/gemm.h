#ifndef STAGE2_FLOAT_GEMM_H_
#define STAGE2_FLOAT_GEMM_H_

namespace stage2 {

enum class Transpose { kNo, kYes };

// C = op(A) · op(B) + beta · C, the BLAS sgemm contract without alpha (beta is 0 or 1 here).
// All matrices are row-major: op(A) is m x k, op(B) is k x n, C is m x n; lda, ldb and ldc are
// the row strides of A, B and C as stored (before op). Every product of the training step goes
// through this one function, so later stages can replace it without touching the network.
void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace stage2

#endif  // STAGE2_FLOAT_GEMM_H_
