#include "stage5_threads/backends.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stage5_threads/gemm.h"

namespace stage5 {

// Defined in backend_*.cc, one file per library.
extern const Backend kOpenBlasBackend;
extern const Backend kEigenBackend;
extern const Backend kXnnpackBackend;

namespace {

std::string OwnDetails() {
  const Kernel& kernel = DefaultKernel();
  return absl::StrCat("stage 3's kernel ", kernel.name, " ", kernel.mr, "x", kernel.nr);
}

int OwnPanelWidth() { return DefaultKernel().nr; }

// Stage 3's GEMM (gemm.h, gemm.cc, kernel_*.cc), which reads a B of one panel in place.
const Backend kOwnBackend = {"own", Gemm, OwnDetails, nullptr, nullptr, OwnPanelWidth};

}  // namespace

const std::vector<Backend>& Backends() {
  // Stage 3's kernel first: at this model's shapes it beats every library here (README.md).
  static const std::vector<Backend> backends = {kOwnBackend, kOpenBlasBackend, kEigenBackend,
                                                kXnnpackBackend};
  return backends;
}

absl::StatusOr<const Backend*> FindBackend(const std::string& name, int threads) {
  const std::vector<Backend>& backends = Backends();
  const std::string wanted = name.empty() ? backends.front().name : name;
  std::vector<std::string> names;
  for (const Backend& backend : backends) {
    names.push_back(backend.name);
    if (wanted != backend.name) continue;
    if (backend.set_threads != nullptr) {
      absl::Status status = backend.set_threads(threads);
      if (!status.ok()) return status;
    }
    return &backend;
  }
  return absl::InvalidArgumentError(absl::StrCat("--gemm=", name, ": stage5_threads has ",
                                                 absl::StrJoin(names, ", "), " (default ",
                                                 names.front(), ")"));
}

}  // namespace stage5
