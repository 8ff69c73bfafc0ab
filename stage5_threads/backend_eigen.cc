// Eigen: its Tensor module contracts two TensorMaps over our row-major buffers (no copies on the
// way in or out) on an Eigen::ThreadPool: Eigen's own threads. (Eigen's matrix products, which
// stage 4 uses, only thread through OpenMP, which this project does not build with.)
//
// Eigen is a header library: it vectorizes for whatever this file was compiled for. In the
// default build that is x86-64's baseline, SSE2 (4 floats, no FMA); with --config=native it is
// AVX2 + FMA. Giving this one file -mavx2 -mfma would not be safe: Eigen's templates and the
// standard library's are inline functions emitted in every object file that uses them, and the
// linker keeps any one copy (kernel.h tells the story), so AVX2 code could end up running outside
// any CPU check. README.md has both builds' figures.
#define EIGEN_USE_THREADS
#include <memory>
#include <string>
#include <unsupported/Eigen/CXX11/Tensor>

#include "absl/strings/str_cat.h"
#include "stage5_threads/backends.h"

namespace stage5 {
namespace {

using Index = Eigen::Index;
using Matrix = Eigen::TensorMap<Eigen::Tensor<float, 2, Eigen::RowMajor>>;
using ConstMatrix = Eigen::TensorMap<Eigen::Tensor<const float, 2, Eigen::RowMajor>>;
using Pair = Eigen::IndexPair<Index>;

// Eigen's threads (set_threads), and the device that hands them the work.
std::unique_ptr<Eigen::ThreadPool> g_pool;
std::unique_ptr<Eigen::ThreadPoolDevice> g_device;

void EigenGemm(common::Transpose transpose_a, common::Transpose transpose_b, int m, int n, int k,
               const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  const bool ta = transpose_a == common::Transpose::kYes;
  const bool tb = transpose_b == common::Transpose::kYes;
  const Eigen::DSizes<Index, 2> origin(0, 0);
  // The matrices as stored (rows of ld floats, of which the first are used), sliced to size.
  Matrix c_stored(c, m, ldc);
  auto c_view = c_stored.slice(origin, Eigen::DSizes<Index, 2>(m, n));
  if (k <= 0 || beta != 1.0f) {
    if (beta == 0.0f) {
      c_view.device(*g_device) = c_view.constant(0.0f);  // BLAS's beta = 0: C is not read
    } else if (beta != 1.0f) {
      c_view.device(*g_device) = c_view * beta;
    }
    if (k <= 0) return;
  }
  const ConstMatrix a_stored(a, ta ? k : m, lda), b_stored(b, tb ? n : k, ldb);
  const auto a_view = a_stored.slice(origin, Eigen::DSizes<Index, 2>(ta ? k : m, ta ? m : k));
  const auto b_view = b_stored.slice(origin, Eigen::DSizes<Index, 2>(tb ? n : k, tb ? k : n));
  // op() is the choice of which dimension to sum over: A's k is its rows when it is stored
  // transposed, B's k is its columns when it is. The free dimensions come out as [m][n].
  const Eigen::array<Pair, 1> over_k = {Pair(ta ? 0 : 1, tb ? 1 : 0)};
  c_view.device(*g_device) += a_view.contract(b_view, over_k);
}

absl::Status SetThreads(int threads) {
  g_device.reset();
  g_pool = std::make_unique<Eigen::ThreadPool>(threads);
  g_device = std::make_unique<Eigen::ThreadPoolDevice>(g_pool.get(), threads);
  return absl::OkStatus();
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

// "Eigen 3.4.0 SSE2, Tensor contraction on 2 threads": the version, what this file was compiled
// for, and Eigen's threads.
std::string Details() {
  return absl::StrCat("Eigen ", EIGEN_WORLD_VERSION, ".", EIGEN_MAJOR_VERSION, ".",
                      EIGEN_MINOR_VERSION, " ", kSimd, kFma ? "+FMA" : "",
                      ", Tensor contraction on ", g_device ? g_device->numThreads() : 0,
                      " threads");
}

}  // namespace

extern const Backend kEigenBackend = {"eigen", EigenGemm, Details, SetThreads, nullptr};

}  // namespace stage5
