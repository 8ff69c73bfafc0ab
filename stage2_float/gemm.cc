#include "stage2_float/gemm.h"

#include <cstddef>
#include <vector>

#include "common/profile.h"

namespace stage2 {
namespace {

// op(X) as an explicit row-major rows x cols matrix. A stored-transposed operand would make the
// inner loop below jump a whole row per element; copying it once costs rows * cols moves and
// pays back `n` or `m` times over in the product.
const float* RowMajor(Transpose transpose, const float* x, int rows, int cols, int ld,
                      std::vector<float>& scratch, int* row_stride) {
  if (transpose == Transpose::kNo) {
    *row_stride = ld;
    return x;
  }
  scratch.resize(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) scratch[static_cast<size_t>(r) * cols + c] = x[c * ld + r];
  }
  *row_stride = cols;
  return scratch.data();
}

}  // namespace

void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  thread_local std::vector<float> scratch_a, scratch_b;
  {
    PROFILE_SCOPE("transpose copy");
    a = RowMajor(transpose_a, a, m, k, lda, scratch_a, &lda);
    b = RowMajor(transpose_b, b, k, n, ldb, scratch_b, &ldb);
  }
  // Loop order i-k-j: the innermost loop walks a row of B and a row of C with stride 1, so every
  // cache line is used whole, and it is a plain `c += a * b` over arrays that the compiler turns
  // into SIMD instructions by itself (the i-j-k order of the textbook would be a dot product
  // down a column of B instead).
  for (int i = 0; i < m; ++i) {
    float* __restrict c_row = c + static_cast<size_t>(i) * ldc;
    if (beta != 1.0f) {  // beta = 0 must not read C: 0 * NaN would be NaN
      for (int j = 0; j < n; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];
    }
    for (int p = 0; p < k; ++p) {
      const float a_ip = a[static_cast<size_t>(i) * lda + p];
      const float* __restrict b_row = b + static_cast<size_t>(p) * ldb;
      for (int j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
    }
  }
}

}  // namespace stage2
