// The checks every stage passes (testing/network_conformance.h), and the same logits, gradients
// and accuracy as stage 1 (testing/matches_stage1.h), for every backend on 1 and 2 threads (and
// our own split on 3, so that a thread's share is not always half). Then the same gradients as
// stage 4, which this stage only spreads over more threads.
#include "stage5_threads/network.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "stage4_blas/network.h"
#include "stage5_threads/backends.h"
#include "stage5_threads/gemm.h"
#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

std::vector<conformance::NetworkUnderTest> EveryBackendAndThreads() {
  std::vector<conformance::NetworkUnderTest> networks;
  for (const char* gemm : {"own", "openblas", "eigen", "xnnpack"}) {
    for (int threads : {1, 2}) {
      networks.push_back(
          {absl::StrCat(gemm, "_", threads, "threads"), stage5::MakeNetwork, gemm, threads});
    }
  }
  networks.push_back({"own_3threads", stage5::MakeNetwork, "own", 3});
  return networks;
}

INSTANTIATE_TEST_SUITE_P(Stage5, NetworkConformance, testing::ValuesIn(EveryBackendAndThreads()),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Stage5, MatchesStage1, testing::ValuesIn(EveryBackendAndThreads()),
                         conformance::TestName());

absl::StatusOr<std::unique_ptr<common::Network>> Make(const std::string& gemm, int threads) {
  return stage5::MakeNetwork({common::LayerSizes({16}), gemm, threads});
}

TEST(NetworkTest, DefaultIsOwnOnEveryCore) {
  absl::StatusOr<std::unique_ptr<common::Network>> network = Make("", 0);
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ((*network)->Describe().gemm, "own");
  EXPECT_EQ((*network)->Describe().threads,
            std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
}

TEST(NetworkTest, UnknownGemmListsTheChoices) {
  absl::StatusOr<std::unique_ptr<common::Network>> network = Make("mkl", 2);
  ASSERT_FALSE(network.ok());
  EXPECT_EQ(network.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(network.status().message().find("own, openblas, eigen, xnnpack"), std::string::npos)
      << network.status();
}

// The library runs on as many threads of its own as asked.
TEST(NetworkTest, OpenBlasRunsOnTheThreadsAsked) {
  for (int threads : {2, 1}) {
    ASSERT_TRUE(Make("openblas", threads).ok());
    EXPECT_EQ(openblas_get_num_threads(), threads);
  }
}

// Same weights, same batch, a hidden width that does not split evenly: stage 5's loss, logits and
// gradients are stage 4's, whatever the threads, within float rounding (sums may be added in
// another order).
TEST(NetworkTest, GradientsMatchStage4) {
  const auto [sizes, batch, x, labels, p] =
      conformance::MakeProblem({common::kImagePixels, 72, common::kClasses}, 50, 71);
  for (const char* gemm : {"own", "openblas"}) {
    absl::StatusOr<std::unique_ptr<common::Network>> reference =
        stage4::MakeNetwork({sizes, gemm, 1});
    ASSERT_TRUE(reference.ok()) << reference.status();
    (*reference)->SetParameters(p);
    std::vector<float> expected_logits(batch * common::kClasses), logits(expected_logits.size());
    const double expected_loss =
        (*reference)->Backward(x.data(), labels.data(), batch, expected_logits.data());
    const common::Parameters expected = (*reference)->GetGradients();
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE(absl::StrCat(gemm, " on ", threads, " threads"));
      absl::StatusOr<std::unique_ptr<common::Network>> network =
          stage5::MakeNetwork({sizes, gemm, threads});
      ASSERT_TRUE(network.ok()) << network.status();
      (*network)->SetParameters(p);
      EXPECT_NEAR((*network)->Backward(x.data(), labels.data(), batch, logits.data()),
                  expected_loss, 1e-6 * expected_loss);
      for (size_t i = 0; i < logits.size(); ++i) {
        EXPECT_NEAR(logits[i], expected_logits[i], 1e-5 * (1 + std::abs(expected_logits[i])));
      }
      const common::Parameters actual = (*network)->GetGradients();
      for (size_t l = 0; l < expected.layers.size(); ++l) {
        const common::Floats& e = expected.layers[l].weights;
        const common::Floats& a = actual.layers[l].weights;
        float scale = 0;
        for (float g : e) scale = std::max(scale, std::abs(g));
        for (size_t i = 0; i < e.size(); ++i) ASSERT_NEAR(a[i], e[i], 1e-5 * scale) << i;
        for (size_t j = 0; j < expected.layers[l].bias.size(); ++j) {
          ASSERT_NEAR(actual.layers[l].bias[j], expected.layers[l].bias[j], 1e-5 * scale) << j;
        }
      }
    }
  }
}

// 128 hidden units are cut into slices of a whole kernel panel (at least a cache line of 16
// floats): 8 slices with AVX2's 16-wide panels, 4 with AVX-512's 32. One thread more than slices
// has nothing to do, and the run says so.
TEST(NetworkTest, DescribeCountsIdleThreads) {
  absl::StatusOr<const stage5::Backend*> own = stage5::FindBackend("own", 1);
  ASSERT_TRUE(own.ok()) << own.status();
  const int slices = 128 / std::max(16, (*own)->panel_width());
  const std::string idle = absl::StrCat("only ", slices, " of ", slices + 1, " threads");
  for (int threads : {slices, slices + 1}) {
    absl::StatusOr<std::unique_ptr<common::Network>> network =
        stage5::MakeNetwork({common::LayerSizes({128}), "own", threads});
    ASSERT_TRUE(network.ok()) << network.status();
    const std::string details = (*network)->Describe().details;
    EXPECT_EQ(details.find(idle) != std::string::npos, threads == slices + 1) << details;
  }
}

// Two hidden layers: the split needs a barrier per layer each way, and each layer reads the one
// below block by block; the results must not notice.
TEST(NetworkTest, TwoHiddenLayersOnThreeThreads) {
  const auto [sizes, batch, x, labels, p] =
      conformance::MakeProblem({common::kImagePixels, 48, 40, common::kClasses}, 21, 81);
  absl::StatusOr<std::unique_ptr<common::Network>> reference =
      stage4::MakeNetwork({sizes, "own", 1});
  absl::StatusOr<std::unique_ptr<common::Network>> network = stage5::MakeNetwork({sizes, "own", 3});
  ASSERT_TRUE(reference.ok() && network.ok());
  (*reference)->SetParameters(p);
  (*network)->SetParameters(p);
  std::vector<float> expected(batch * common::kClasses), actual(expected.size());
  (*reference)->Backward(x.data(), labels.data(), batch, expected.data());
  (*network)->Backward(x.data(), labels.data(), batch, actual.data());
  const common::Parameters e = (*reference)->GetGradients(), a = (*network)->GetGradients();
  for (size_t l = 0; l < e.layers.size(); ++l) {
    for (size_t i = 0; i < e.layers[l].weights.size(); ++i) {
      ASSERT_NEAR(a.layers[l].weights[i], e.layers[l].weights[i], 1e-6) << l << " " << i;
    }
  }
  // TrainStep, which updates each layer's weights inside its products (one more barrier per
  // further hidden layer): three steps on the same batch, the same parameters after each.
  (*reference)->SetParameters(p);
  (*network)->SetParameters(p);
  for (int step = 0; step < 3; ++step) {
    (*reference)->TrainStep(x.data(), labels.data(), batch, expected.data(), 0.1f);
    (*network)->TrainStep(x.data(), labels.data(), batch, actual.data(), 0.1f);
    const common::Parameters pe = (*reference)->GetParameters(), pa = (*network)->GetParameters();
    for (size_t l = 0; l < pe.layers.size(); ++l) {
      for (size_t i = 0; i < pe.layers[l].weights.size(); ++i) {
        ASSERT_NEAR(pa.layers[l].weights[i], pe.layers[l].weights[i], 1e-5)
            << "step " << step << " layer " << l << " " << i;
      }
      for (size_t j = 0; j < pe.layers[l].bias.size(); ++j) {
        ASSERT_NEAR(pa.layers[l].bias[j], pe.layers[l].bias[j], 1e-5)
            << "step " << step << " layer " << l << " bias " << j;
      }
    }
  }
}

// network_portable_test runs this file again with MNIST_PERF_KERNEL=portable and
// PORTABLE_KERNEL_TEST defined (BUILD): the only kernel an ARM machine has, tested on every
// machine. Each target must run the kernel it is meant to test.
TEST(NetworkTest, RunsTheKernelTheEnvironmentNames) {
  absl::StatusOr<std::unique_ptr<common::Network>> network =
      stage5::MakeNetwork({common::LayerSizes({16}), "own", 1});
  ASSERT_TRUE(network.ok()) << network.status();
#ifdef PORTABLE_KERNEL_TEST
  const std::string expected = "portable";
#else
  const std::string expected = stage5::AvailableKernels().front()->name;
#endif
  const std::string details = (*network)->Describe().details;
  EXPECT_NE(details.find("kernel " + expected + " "), std::string::npos) << details;
}

}  // namespace
