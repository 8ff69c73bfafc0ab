// Every backend's GEMM and every kernel of stage 3's (backend "own") this CPU runs pass the GEMM
// suite every stage's products pass (testing/gemm_conformance.h). Plus what only stage 3 has: tiny
// cache blocks that make every blocking loop turn, and a check that dispatch offers exactly the
// kernels the CPU supports, so a build or dispatch mistake cannot hide behind a slower fallback.
#include "stage5_threads/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/profile.h"
#include "stage5_threads/backends.h"
#include "testing/gemm_conformance.h"

namespace stage5 {
namespace {

constexpr Transpose kNo = Transpose::kNo, kYes = Transpose::kYes;

conformance::NamedGemm WithKernel(const Kernel* kernel) {
  return {kernel->name, [kernel](auto... args) { Gemm(*kernel, args...); }};
}

// The kernels this CPU runs and their narrow siblings (kernel.h).
std::vector<const Kernel*> KernelsAndSiblings() {
  return conformance::WithNarrowSiblings(AvailableKernels());
}

std::vector<conformance::NamedGemm> EveryKernel() {
  std::vector<conformance::NamedGemm> gemms;
  for (const Kernel* kernel : KernelsAndSiblings()) gemms.push_back(WithKernel(kernel));
  // The plain Gemm, which the network calls: DefaultKernel() behind it.
  gemms.push_back({"default", [](auto... args) { Gemm(args...); }});
  // And every library's on 1 and 2 threads of its own, set up as the network would
  // (EveryBackendSetsUp checks that works). A library keeps one thread setting per process, so
  // each call sets it when the previous one used another.
  for (const Backend& backend : Backends()) {
    if (backend.set_threads == nullptr) continue;  // own: the network threads it, not the GEMM
    for (int threads : {1, 2}) {
      gemms.push_back({absl::StrCat("backend_", backend.name, "_", threads, "threads"),
                       [&backend, threads](auto... args) {
                         static thread_local std::pair<const Backend*, int> current;
                         if (current != std::pair(&backend, threads)) {
                           FindBackend(backend.name, threads).status().IgnoreError();
                           current = {&backend, threads};
                         }
                         backend.gemm(args...);
                       }});
    }
  }
  return gemms;
}

INSTANTIATE_TEST_SUITE_P(Stage5, GemmConformance, testing::ValuesIn(EveryKernel()),
                         conformance::GemmName());

TEST(GemmTest, AvailableKernelsMatchTheCpu) {
  const std::vector<const Kernel*> kernels = AvailableKernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(&DefaultKernel(), kernels.front());
  std::vector<std::string> names;
  for (const Kernel* kernel : kernels) names.push_back(kernel->name);
  auto has = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  EXPECT_TRUE(has("portable"));
  EXPECT_EQ(names.back(), "portable");  // always there, and the slowest
#if defined(__x86_64__)
  // A build or dispatch mistake must not quietly fall back to a slower kernel.
  EXPECT_EQ(has("avx512"), __builtin_cpu_supports("avx512f") != 0);
  EXPECT_EQ(has("avx2"), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_EQ(names.front(), "avx512");
  }
#else
  EXPECT_EQ(names.size(), 1u);
#endif
  for (const Kernel* kernel : KernelsAndSiblings()) {
    EXPECT_GT(kernel->mr, 0);
    EXPECT_EQ(kernel->mc % kernel->mr, 0) << kernel->name;
    EXPECT_EQ(kernel->nc % kernel->nr, 0) << kernel->name;
    if (kernel->narrow == nullptr) continue;
    EXPECT_LT(kernel->narrow->nr, kernel->nr) << kernel->name;  // else it would never be chosen
    EXPECT_EQ(kernel->narrow->narrow, nullptr) << kernel->name;
  }
}

TEST(GemmTest, EveryBackendSetsUp) {
  for (const Backend& backend : Backends()) {
    for (int threads : {1, 2}) EXPECT_TRUE(FindBackend(backend.name, threads).ok()) << backend.name;
  }
}

// Tiny cache blocks make every blocking loop run many times, with tails, on small matrices.
TEST(GemmTest, TinyBlocks) {
  for (const Kernel* kernel : KernelsAndSiblings()) {
    for (int scale : {1, 2}) {
      Kernel tiny = *kernel;
      tiny.narrow = nullptr;  // its own tiles at every width, the narrow ones too
      tiny.mc = scale * tiny.mr;
      tiny.kc = 3 * scale;
      tiny.nc = scale * tiny.nr;
      const conformance::NamedGemm gemm = WithKernel(&tiny);
      for (Transpose ta : {kNo, kYes}) {
        for (Transpose tb : {kNo, kYes}) {
          for (int m : {1, 17, 65}) {
            for (int n : {7, 65, 100}) conformance::CheckGemm(gemm, ta, tb, m, n, 20, 1);
          }
        }
      }
    }
  }
}

// A B that is one panel of nr columns stored [k][nr] (the network's weights) is read in place,
// and must give exactly what the same B gives packed (stored with one more float per row): the
// same kernel sums the same products in the same order, only B's copy is skipped.
TEST(GemmTest, OnePanelOfBIsReadInPlace) {
  std::vector<Kernel> kernels;
  for (const Kernel* kernel : KernelsAndSiblings()) {
    kernels.push_back(*kernel);
    Kernel tiny = *kernel;  // every blocking loop turning, with tails
    tiny.mc = 2 * tiny.mr;
    tiny.kc = 7;
    kernels.push_back(tiny);
  }
  unsigned seed = 1;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<float>((seed >> 8) % 2001) / 1000.0f - 1.0f;
  };
  auto packed_b = [](const std::vector<common::ProfilePart>& parts) {
    for (const common::ProfilePart& part : parts) {
      if (part.name == "pack B") return true;
    }
    return false;
  };
  common::EnableProfile(true);
  for (const Kernel& kernel : kernels) {
    const int n = kernel.nr;
    for (Transpose ta : {kNo, kYes}) {
      for (int m : {1, 7, 65}) {
        for (int k : {1, 20, 300}) {
          std::vector<float> a(static_cast<size_t>(m) * k), panel(static_cast<size_t>(k) * n);
          for (float& x : a) x = next();
          for (float& x : panel) x = next();
          std::vector<float> padded(static_cast<size_t>(k) * (n + 1));  // the same B, ldb = n + 1
          for (int p = 0; p < k; ++p) {
            std::copy_n(&panel[static_cast<size_t>(p) * n], n,
                        &padded[static_cast<size_t>(p) * (n + 1)]);
          }
          const int ldc = n + 3, lda = ta == kNo ? k : m;
          for (float beta : {0.0f, 1.0f}) {
            const std::string what =
                absl::StrCat(kernel.name, " kc ", kernel.kc, " ta ", ta == kYes, " ", m, "x", n,
                             "x", k, " beta ", beta);
            std::vector<float> expected(static_cast<size_t>(m) * ldc, 0.5f);
            std::vector<float> actual = expected;
            common::TakeProfile();
            Gemm(kernel, ta, kNo, m, n, k, a.data(), lda, padded.data(), n + 1, beta,
                 expected.data(), ldc);
            ASSERT_TRUE(packed_b(common::TakeProfile())) << what;
            Gemm(kernel, ta, kNo, m, n, k, a.data(), lda, panel.data(), n, beta, actual.data(),
                 ldc);
            ASSERT_FALSE(packed_b(common::TakeProfile())) << what;
            ASSERT_EQ(actual, expected) << what;
          }
        }
      }
    }
  }
  common::EnableProfile(false);
}

// MNIST_PERF_KERNEL picks a kernel by name; a name this CPU lacks is an error that lists those it
// has. (ChosenKernel reads the variable on every call; DefaultKernel keeps its first answer.)
TEST(GemmTest, EnvironmentChoosesTheKernel) {
  const std::vector<const Kernel*> kernels = AvailableKernels();
  ASSERT_EQ(unsetenv(kKernelVariable), 0);
  EXPECT_EQ(ChosenKernel().value(), kernels.front());
  ASSERT_EQ(setenv(kKernelVariable, "", 1), 0);
  EXPECT_EQ(ChosenKernel().value(), kernels.front());
  ASSERT_EQ(setenv(kKernelVariable, "portable", 1), 0);
  EXPECT_EQ(ChosenKernel().value(), kernels.back());
  ASSERT_EQ(setenv(kKernelVariable, "neon", 1), 0);
  const absl::StatusOr<const Kernel*> missing = ChosenKernel();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("MNIST_PERF_KERNEL=neon: this CPU runs "),
            std::string::npos)
      << missing.status();
  EXPECT_NE(missing.status().message().find("portable"), std::string::npos) << missing.status();
  ASSERT_EQ(unsetenv(kKernelVariable), 0);
}

}  // namespace
}  // namespace stage5
