#include "testing/matches_stage1.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "common/trainer.h"
#include "gtest/gtest.h"
#include "stage1_naive/network.h"

namespace {

using conformance::MakeProblem;

// Same weights, same batch: logits equal to stage 1's within float rounding.
TEST_P(MatchesStage1, Forward) {
  // An odd batch, so that no kernel gets only full tiles.
  const auto [sizes, batch, x, labels, p] =
      MakeProblem({common::kImagePixels, 48, 32, common::kClasses}, 17, 21);
  stage1::Network reference(sizes);
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  reference.SetParameters(p);
  network->SetParameters(p);
  std::vector<float> expected(batch * common::kClasses), actual(expected.size());
  reference.Forward(x.data(), batch, expected.data());
  network->Forward(x.data(), batch, actual.data());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 1e-4 * (1 + std::abs(expected[i]))) << "logit " << i;
  }
}

// Same weights, same batch: loss, logits and every gradient equal to stage 1's.
TEST_P(MatchesStage1, Gradients) {
  const auto [sizes, batch, x, labels, p] =
      MakeProblem({common::kImagePixels, 48, 32, common::kClasses}, 33, 31);
  stage1::Network reference(sizes);
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  reference.SetParameters(p);
  network->SetParameters(p);
  std::vector<float> logits_ref(batch * common::kClasses), logits(logits_ref.size());
  const double loss_ref = reference.Backward(x.data(), labels.data(), batch, logits_ref.data());
  const double loss = network->Backward(x.data(), labels.data(), batch, logits.data());
  EXPECT_NEAR(loss, loss_ref, 1e-5 * loss_ref);
  for (size_t i = 0; i < logits.size(); ++i) {
    EXPECT_NEAR(logits[i], logits_ref[i], 1e-4 * (1 + std::abs(logits_ref[i])));
  }
  const common::Parameters expected = reference.GetGradients();
  const common::Parameters actual = network->GetGradients();
  ASSERT_EQ(actual.layers.size(), expected.layers.size());
  for (size_t l = 0; l < expected.layers.size(); ++l) {
    // Float sums of 33 samples against double ones: compare on the scale of the layer.
    float scale = 0;
    for (float g : expected.layers[l].weights) scale = std::max(scale, std::abs(g));
    const auto& ew = expected.layers[l].weights;
    const auto& aw = actual.layers[l].weights;
    ASSERT_EQ(aw.size(), ew.size());
    for (size_t i = 0; i < ew.size(); ++i) {
      ASSERT_NEAR(aw[i], ew[i], 1e-4 * scale) << "layer " << l << " weight " << i;
    }
    for (size_t j = 0; j < expected.layers[l].bias.size(); ++j) {
      ASSERT_NEAR(actual.layers[l].bias[j], expected.layers[l].bias[j], 1e-4 * scale)
          << "layer " << l << " bias " << j;
    }
  }
}

// Same seed, same batches: after one epoch the test accuracy is stage 1's within 0.5 points.
TEST_P(MatchesStage1, OneEpochAccuracy) {
  const common::Dataset data = conformance::FashionSubset(3000, 2000);
  common::TrainConfig config;
  config.epochs = 1;
  stage1::Network reference(common::LayerSizes(config.hidden));
  std::unique_ptr<common::Network> network = Make(common::LayerSizes(config.hidden));
  ASSERT_NE(network, nullptr);
  auto expected = common::Train(reference, config, data, /*show_progress=*/false);
  auto actual = common::Train(*network, config, data, /*show_progress=*/false);
  ASSERT_TRUE(expected.ok() && actual.ok());
  EXPECT_GT(expected->back().test_accuracy, 0.6);
  EXPECT_NEAR(actual->back().test_accuracy, expected->back().test_accuracy, 0.005);
}

}  // namespace
