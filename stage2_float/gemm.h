#ifndef STAGE2_FLOAT_GEMM_H_
#define STAGE2_FLOAT_GEMM_H_

#include "common/gemm.h"

namespace stage2 {

using common::Transpose;

// C = op(A) · op(B) + beta · C, the contract of common/gemm.h, computed by plain loops in the
// order the cache and the compiler's vectorizer like. Every product of the training step goes
// through this one function, so later stages can replace it without touching the network.
void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace stage2

#endif  // STAGE2_FLOAT_GEMM_H_
