// OpenBLAS through its C interface: common/gemm.h's contract is BLAS's sgemm with alpha = 1.
#include <cblas.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "common/machine.h"
#include "stage5_threads/backends.h"

namespace stage5 {
namespace {

CBLAS_TRANSPOSE Op(common::Transpose t) {
  return t == common::Transpose::kYes ? CblasTrans : CblasNoTrans;
}

void OpenBlasGemm(common::Transpose transpose_a, common::Transpose transpose_b, int m, int n, int k,
                  const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  // Nothing to do; BLAS would also reject the leading dimensions of 0 that may come with it.
  if (m <= 0 || n <= 0) return;
  cblas_sgemm(CblasRowMajor, Op(transpose_a), Op(transpose_b), m, n, k, 1.0f, a, lda, b, ldb, beta,
              c, ldc);
}

// Debian's libopenblas0-pthread keeps a pool of workers and splits every large enough product
// between them; here it may use `threads` of them.
absl::Status SetThreads(int threads) {
  openblas_set_num_threads(threads);
  return absl::OkStatus();
}

// "OpenBLAS 0.3.21 Zen": the version from the build string, then the kernels it picked for this
// CPU (a DYNAMIC_ARCH build carries kernels for many CPUs and chooses at load time), and a
// note when that choice is a fallback (common/machine.h).
std::string Details() {
  const std::vector<std::string> config = absl::StrSplit(openblas_get_config(), ' ');
  const std::string version = config.size() > 1 ? config[0] + " " + config[1] : "OpenBLAS";
  const std::string core = openblas_get_corename();
  const std::string note = common::OpenBlasCoreNote(core, common::ThisMachine().simd);
  return version + " " + core + (note.empty() ? "" : " (" + note + ")") +
         ", its own threads: " + std::to_string(openblas_get_num_threads());
}

}  // namespace

extern const Backend kOpenBlasBackend = {"openblas", OpenBlasGemm, Details, SetThreads, nullptr};

}  // namespace stage5
