// Eigen: Eigen::Map views our row-major buffers as matrices, so no value is copied on the way in
// or out, and noalias() lets the product write straight into C.
//
// Eigen is a header library: it vectorizes for whatever this file was compiled for. In the
// default build that is x86-64's baseline, SSE2 (4 floats, no FMA); with --config=native it is
// AVX2 + FMA. Giving this one file -mavx2 -mfma would not be safe: Eigen's templates and the
// standard library's are inline functions emitted in every object file that uses them, and the
// linker keeps any one copy (kernel.h tells the story), so AVX2 code could end up running outside
// any CPU check. README.md has both builds' figures.
#include <Eigen/Core>
#include <string>

#include "absl/strings/str_cat.h"
#include "stage4_blas/backends.h"

namespace stage4 {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstView = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using View = Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;

void EigenGemm(common::Transpose transpose_a, common::Transpose transpose_b, int m, int n, int k,
               const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  const bool ta = transpose_a == common::Transpose::kYes;
  const bool tb = transpose_b == common::Transpose::kYes;
  // The matrices as stored; op() is a transposed view, which costs nothing.
  const ConstView a_stored(a, ta ? k : m, ta ? m : k, Eigen::OuterStride<>(lda));
  const ConstView b_stored(b, tb ? n : k, tb ? k : n, Eigen::OuterStride<>(ldb));
  View c_view(c, m, n, Eigen::OuterStride<>(ldc));
  if (beta == 0.0f) {
    c_view.setZero();  // BLAS's beta = 0: whatever C held, even NaN, is not read
  } else if (beta != 1.0f) {
    c_view *= beta;
  }
  if (k <= 0) return;
  // Four spellings of one call: each transposition is a different expression type.
  if (!ta && !tb) c_view.noalias() += a_stored * b_stored;
  if (!ta && tb) c_view.noalias() += a_stored * b_stored.transpose();
  if (ta && !tb) c_view.noalias() += a_stored.transpose() * b_stored;
  if (ta && tb) c_view.noalias() += a_stored.transpose() * b_stored.transpose();
}

// The widest vectors Eigen was compiled for in this file, and whether it may fuse multiply-adds.
constexpr const char* kSimd =
#if defined(EIGEN_VECTORIZE_AVX512)
    "AVX-512"
#elif defined(EIGEN_VECTORIZE_AVX2)
    "AVX2"
#elif defined(EIGEN_VECTORIZE_AVX)
    "AVX"
#elif defined(EIGEN_VECTORIZE_SSE2)
    "SSE2"
#elif defined(EIGEN_VECTORIZE_NEON)
    "NEON"
#else
    "no SIMD"
#endif
    ;
#ifdef EIGEN_VECTORIZE_FMA
constexpr bool kFma = true;
#else
constexpr bool kFma = false;
#endif

// "Eigen 3.4.0 SSE2": the version and what this file was compiled for.
std::string Details() {
  return absl::StrCat("Eigen ", EIGEN_WORLD_VERSION, ".", EIGEN_MAJOR_VERSION, ".",
                      EIGEN_MINOR_VERSION, " ", kSimd, kFma ? "+FMA" : "");
}

}  // namespace

// Eigen runs its products on one thread unless built with OpenMP, which this project is not.
extern const Backend kEigenBackend = {"eigen", EigenGemm, Details, nullptr, nullptr};

}  // namespace stage4
