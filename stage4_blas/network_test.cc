// The checks every stage passes (testing/network_conformance.h), and the same logits, gradients
// and accuracy as stage 1 (testing/matches_stage1.h), for every backend.
#include "stage4_blas/network.h"

#include <cblas.h>

#include "stage4_blas/gemm.h"
#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

const std::vector<conformance::NetworkUnderTest> kBackends =
    conformance::ForEachGemm(stage4::MakeNetwork, {"own", "openblas", "eigen", "xnnpack"});

INSTANTIATE_TEST_SUITE_P(Stage4, NetworkConformance, testing::ValuesIn(kBackends),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Stage4, MatchesStage1, testing::ValuesIn(kBackends),
                         conformance::TestName());

absl::StatusOr<std::unique_ptr<common::Network>> Make(const std::string& gemm, int threads) {
  return stage4::MakeNetwork({common::LayerSizes({16}), gemm, threads});
}

TEST(Stage4Test, DefaultIsTheFirstBackend) {
  absl::StatusOr<std::unique_ptr<common::Network>> network = Make("", 0);
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ((*network)->Describe().gemm, stage4::Backends().front().name);
  EXPECT_EQ((*network)->Describe().threads, 1);
}

TEST(Stage4Test, UnknownGemmListsTheChoices) {
  absl::StatusOr<std::unique_ptr<common::Network>> network = Make("mkl", 0);
  ASSERT_FALSE(network.ok());
  EXPECT_EQ(network.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(network.status().message().find("own, openblas, eigen, xnnpack"), std::string::npos)
      << network.status();
}

TEST(Stage4Test, MoreThanOneThreadIsStage5s) {
  EXPECT_TRUE(Make("own", 1).ok());
  absl::StatusOr<std::unique_ptr<common::Network>> network = Make("openblas", 2);
  ASSERT_FALSE(network.ok());
  EXPECT_EQ(network.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(network.status().message().find("stage5_threads"), std::string::npos)
      << network.status();
}

// Debian's OpenBLAS starts a thread per core; this stage must keep it to one.
TEST(Stage4Test, OpenBlasRunsOnOneThread) {
  ASSERT_TRUE(Make("openblas", 0).ok());
  EXPECT_EQ(openblas_get_num_threads(), 1);
}

// network_portable_test runs this file again with MNIST_PERF_KERNEL=portable and
// PORTABLE_KERNEL_TEST defined (BUILD): the only kernel an ARM machine has, tested on every
// machine. Each target must run the kernel it is meant to test.
TEST(Stage4Test, RunsTheKernelTheEnvironmentNames) {
  absl::StatusOr<std::unique_ptr<common::Network>> network =
      stage4::MakeNetwork({common::LayerSizes({16}), "own", 1});
  ASSERT_TRUE(network.ok()) << network.status();
#ifdef PORTABLE_KERNEL_TEST
  const std::string expected = "portable";
#else
  const std::string expected = stage4::AvailableKernels().front()->name;
#endif
  const std::string details = (*network)->Describe().details;
  EXPECT_NE(details.find("kernel " + expected + " "), std::string::npos) << details;
}

}  // namespace
