// The checks every stage passes (testing/network_conformance.h), and the same logits, gradients
// and accuracy as stage 1 (testing/matches_stage1.h).
#include "stage3_simd/network.h"

#include <string>

#include "stage3_simd/gemm.h"
#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

const conformance::NetworkUnderTest kNetworks[] = {{"own", stage3::MakeNetwork}};

INSTANTIATE_TEST_SUITE_P(Stage3, NetworkConformance, testing::ValuesIn(kNetworks),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Stage3, MatchesStage1, testing::ValuesIn(kNetworks),
                         conformance::TestName());

// network_portable_test runs this file again with MNIST_PERF_KERNEL=portable and
// PORTABLE_KERNEL_TEST defined (BUILD): the only kernel an ARM machine has, tested on every
// machine. Each target must run the kernel it is meant to test.
TEST(Stage3Test, RunsTheKernelTheEnvironmentNames) {
  absl::StatusOr<std::unique_ptr<common::Network>> network =
      stage3::MakeNetwork({common::LayerSizes({16}), "own", 1});
  ASSERT_TRUE(network.ok()) << network.status();
#ifdef PORTABLE_KERNEL_TEST
  const std::string expected = "portable";
#else
  const std::string expected = stage3::AvailableKernels().front()->name;
#endif
  const std::string details = (*network)->Describe().details;
  EXPECT_NE(details.find("kernel " + expected + " "), std::string::npos) << details;
}

}  // namespace
