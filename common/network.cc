#include "common/network.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace common {

absl::Status CheckOneThreadOwnGemm(const NetworkOptions& options, const char* stage) {
  if (!options.gemm.empty() && options.gemm != "own") {
    return absl::InvalidArgumentError(
        absl::StrCat("--gemm=", options.gemm, ": ", stage,
                     " only has its own matrix products (--gemm=own); the libraries are in "
                     "stage4_blas and stage5_threads"));
  }
  if (options.threads > 1) {
    return absl::InvalidArgumentError(absl::StrCat("--threads=", options.threads, ": ", stage,
                                                   " runs on one thread; all cores are "
                                                   "stage5_threads' idea"));
  }
  return absl::OkStatus();
}

}  // namespace common
