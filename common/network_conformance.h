#ifndef COMMON_NETWORK_CONFORMANCE_H_
#define COMMON_NETWORK_CONFORMANCE_H_

// The tests every stage must pass, written once. A stage's network_test.cc instantiates them:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(Stage2, NetworkConformance, stage2::Network);
//
// Stage 1 (doubles, textbook loops) is the reference: every other stage must give its forward
// pass and gradients on the same weights and batch, and the same accuracy after an epoch.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "common/rng.h"
#include "common/trainer.h"
#include "gtest/gtest.h"
#include "stage1_naive/network.h"

namespace conformance {

inline std::vector<float> RandomInputs(int count, int width, uint64_t seed) {
  common::Rng rng(seed);
  std::vector<float> x(static_cast<size_t>(count) * width);
  for (float& v : x) v = static_cast<float>(rng.Uniform());
  return x;
}

inline std::vector<uint8_t> RandomLabels(int count, uint64_t seed) {
  common::Rng rng(seed);
  std::vector<uint8_t> labels(count);
  for (uint8_t& label : labels) label = static_cast<uint8_t>(rng.Below(common::kClasses));
  return labels;
}

// He weights plus small random biases, so that the bias paths are exercised too.
inline common::Parameters TestParameters(const std::vector<int>& sizes, uint64_t seed) {
  common::Parameters p = common::InitParameters(sizes, seed);
  common::Rng rng(seed + 1);
  for (common::Layer& layer : p.layers) {
    for (float& b : layer.bias) b = static_cast<float>(0.1 * rng.Normal());
  }
  return p;
}

// A network shape, a random batch and starting weights, all drawn from `seed`.
struct Problem {
  std::vector<int> sizes;
  int batch;
  std::vector<float> x;
  std::vector<uint8_t> labels;
  common::Parameters parameters;
};

inline Problem MakeProblem(std::vector<int> sizes, int batch, uint64_t seed) {
  Problem p{std::move(sizes), batch, {}, {}, {}};
  p.x = RandomInputs(batch, p.sizes[0], seed);
  p.labels = RandomLabels(batch, seed + 1);
  p.parameters = TestParameters(p.sizes, seed + 2);
  return p;
}

// Mean softmax cross-entropy of float logits, computed in double.
inline double MeanLoss(const std::vector<float>& logits, const std::vector<uint8_t>& labels) {
  const int classes = common::kClasses;
  double total = 0;
  for (size_t s = 0; s < labels.size(); ++s) {
    const float* z = &logits[s * classes];
    const double max_z = *std::max_element(z, z + classes);
    double sum = 0;
    for (int j = 0; j < classes; ++j) sum += std::exp(z[j] - max_z);
    total += max_z + std::log(sum) - z[labels[s]];
  }
  return total / labels.size();
}

// Fashion-MNIST from Debian's dataset-fashion-mnist (installed by ./setup.sh), loaded once.
inline const common::Dataset& Fashion() {
  static const common::Dataset* data = [] {
    absl::StatusOr<common::Dataset> loaded = common::LoadDataset("fashion", "");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().message();
      return new common::Dataset();
    }
    return new common::Dataset(std::move(*loaded));
  }();
  return *data;
}

inline common::Dataset FashionSubset(int train, int test) {
  common::Dataset subset = Fashion();
  common::Truncate(subset.train, train);
  common::Truncate(subset.test, test);
  return subset;
}

}  // namespace conformance

template <typename NetworkT>
class NetworkConformance : public ::testing::Test {
 protected:
  static constexpr bool kIsReference = std::is_same_v<NetworkT, stage1::Network>;
};

TYPED_TEST_SUITE_P(NetworkConformance);

// Central differences of the loss against the stage's own backpropagation. Where a step of
// +-eps crosses a ReLU kink the two one-sided differences disagree; such coordinates are skipped
// (and must stay rare).
TYPED_TEST_P(NetworkConformance, GradientsMatchFiniteDifferences) {
  const conformance::Problem problem =
      conformance::MakeProblem({20, 16, 12, common::kClasses}, 5, 11);
  // Plain references, not a structured binding: C++17 lambdas cannot capture those.
  const std::vector<int>& sizes = problem.sizes;
  const int batch = problem.batch;
  const std::vector<float>& x = problem.x;
  const std::vector<uint8_t>& labels = problem.labels;
  const common::Parameters& start = problem.parameters;
  TypeParam network(sizes);
  network.SetParameters(start);
  std::vector<float> logits(batch * common::kClasses);
  network.Backward(x.data(), labels.data(), batch, logits.data());
  const common::Parameters gradients = network.GetGradients();

  auto loss_with = [&](int layer, bool is_bias, int index, float delta) {
    common::Parameters p = start;
    (is_bias ? p.layers[layer].bias : p.layers[layer].weights)[index] += delta;
    network.SetParameters(p);
    network.Forward(x.data(), batch, logits.data());
    return conformance::MeanLoss(logits, labels);
  };
  const float eps = 3e-3f;
  int checked = 0, skipped = 0;
  for (int l = 0; l < static_cast<int>(start.layers.size()); ++l) {
    for (bool is_bias : {false, true}) {
      const int count = static_cast<int>((is_bias ? start.layers[l].bias : start.layers[l].weights).size());
      for (int index = 0; index < count; index += is_bias ? 1 : 7) {
        const double f0 = loss_with(l, is_bias, index, 0);
        const double up = (loss_with(l, is_bias, index, eps) - f0) / eps;
        const double down = (f0 - loss_with(l, is_bias, index, -eps)) / eps;
        if (std::abs(up - down) > 2e-3) {
          ++skipped;
          continue;
        }
        const double numeric = (up + down) / 2;
        const double analytic = (is_bias ? gradients.layers[l].bias : gradients.layers[l].weights)[index];
        EXPECT_NEAR(analytic, numeric, 1e-3 + 1e-2 * std::abs(numeric))
            << "layer " << l << (is_bias ? " bias " : " weight ") << index;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_LE(skipped, checked / 20) << "too many ReLU kinks hit; checked " << checked;
}

// Same weights, same batch: logits equal to stage 1's within float rounding.
TYPED_TEST_P(NetworkConformance, ForwardMatchesStage1) {
  if (TestFixture::kIsReference) GTEST_SKIP() << "stage 1 is the reference";
  // An odd batch, so that no kernel gets only full tiles.
  const auto [sizes, batch, x, labels, p] =
      conformance::MakeProblem({common::kImagePixels, 48, 32, common::kClasses}, 17, 21);
  stage1::Network reference(sizes);
  TypeParam network(sizes);
  reference.SetParameters(p);
  network.SetParameters(p);
  std::vector<float> expected(batch * common::kClasses), actual(expected.size());
  reference.Forward(x.data(), batch, expected.data());
  network.Forward(x.data(), batch, actual.data());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 1e-4 * (1 + std::abs(expected[i]))) << "logit " << i;
  }
}

// Same weights, same batch: loss, logits and every gradient equal to stage 1's.
TYPED_TEST_P(NetworkConformance, GradientsMatchStage1) {
  if (TestFixture::kIsReference) GTEST_SKIP() << "stage 1 is the reference";
  const auto [sizes, batch, x, labels, p] =
      conformance::MakeProblem({common::kImagePixels, 48, 32, common::kClasses}, 33, 31);
  stage1::Network reference(sizes);
  TypeParam network(sizes);
  reference.SetParameters(p);
  network.SetParameters(p);
  std::vector<float> logits_ref(batch * common::kClasses), logits(logits_ref.size());
  const double loss_ref = reference.Backward(x.data(), labels.data(), batch, logits_ref.data());
  const double loss = network.Backward(x.data(), labels.data(), batch, logits.data());
  EXPECT_NEAR(loss, loss_ref, 1e-5 * loss_ref);
  for (size_t i = 0; i < logits.size(); ++i) {
    EXPECT_NEAR(logits[i], logits_ref[i], 1e-4 * (1 + std::abs(logits_ref[i])));
  }
  const common::Parameters expected = reference.GetGradients();
  const common::Parameters actual = network.GetGradients();
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

// An SGD step moves every parameter by -learning_rate * gradient.
TYPED_TEST_P(NetworkConformance, ApplyGradientsTakesOneSgdStep) {
  const auto [sizes, batch, x, labels, before] =
      conformance::MakeProblem({30, 20, common::kClasses}, 4, 41);
  TypeParam network(sizes);
  network.SetParameters(before);
  std::vector<float> logits(batch * common::kClasses);
  network.Backward(x.data(), labels.data(), batch, logits.data());
  const common::Parameters gradients = network.GetGradients();
  network.ApplyGradients(0.5f);
  const common::Parameters after = network.GetParameters();
  for (size_t l = 0; l < before.layers.size(); ++l) {
    for (size_t i = 0; i < before.layers[l].weights.size(); ++i) {
      EXPECT_NEAR(after.layers[l].weights[i],
                  before.layers[l].weights[i] - 0.5f * gradients.layers[l].weights[i], 1e-6);
    }
    for (size_t j = 0; j < before.layers[l].bias.size(); ++j) {
      EXPECT_NEAR(after.layers[l].bias[j],
                  before.layers[l].bias[j] - 0.5f * gradients.layers[l].bias[j], 1e-6);
    }
  }
}

// A learning rate far too large must end the run with an error, not train on garbage.
TYPED_TEST_P(NetworkConformance, DivergenceIsReported) {
  const common::Dataset data = conformance::FashionSubset(640, 100);
  common::TrainConfig config;
  config.hidden = {32};
  config.epochs = 1;
  config.batch_size = 16;
  config.learning_rate = 1e6;
  TypeParam network(common::LayerSizes(config.hidden));
  absl::StatusOr<std::vector<common::EpochStats>> result =
      common::Train(network, config, data, /*show_progress=*/false);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("diverged"), std::string::npos);
  EXPECT_NE(result.status().message().find("--learning_rate"), std::string::npos);
}

// A NaN anywhere in the arithmetic (here from an infinite pixel: inf - inf in the second layer)
// must reach the loss and stop the run.
TYPED_TEST_P(NetworkConformance, NonFiniteLossIsReported) {
  common::Dataset data = conformance::FashionSubset(64, 100);
  data.train.pixels[100] = std::numeric_limits<float>::infinity();
  common::TrainConfig config;
  config.hidden = {32};
  config.epochs = 1;
  TypeParam network(common::LayerSizes(config.hidden));
  absl::StatusOr<std::vector<common::EpochStats>> result =
      common::Train(network, config, data, /*show_progress=*/false);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("nan"), std::string::npos) << result.status();
}

// A few hundred real samples: the loss falls and accuracy is far above chance (10 %).
TYPED_TEST_P(NetworkConformance, ShortTrainingLearns) {
  const common::Dataset data = conformance::FashionSubset(600, 1000);
  common::TrainConfig config;
  config.hidden = {64};
  config.epochs = 6;
  config.batch_size = 16;
  TypeParam network(common::LayerSizes(config.hidden));
  absl::StatusOr<std::vector<common::EpochStats>> epochs =
      common::Train(network, config, data, /*show_progress=*/false);
  ASSERT_TRUE(epochs.ok()) << epochs.status();
  EXPECT_LT(epochs->back().loss, 0.7 * epochs->front().loss);
  EXPECT_GT(epochs->back().test_accuracy, 0.6);
}

// Same seed, same batches: after one epoch the test accuracy is stage 1's within 0.5 points.
TYPED_TEST_P(NetworkConformance, OneEpochAccuracyMatchesStage1) {
  if (TestFixture::kIsReference) GTEST_SKIP() << "stage 1 is the reference";
  const common::Dataset data = conformance::FashionSubset(3000, 2000);
  common::TrainConfig config;
  config.epochs = 1;
  stage1::Network reference(common::LayerSizes(config.hidden));
  TypeParam network(common::LayerSizes(config.hidden));
  auto expected = common::Train(reference, config, data, /*show_progress=*/false);
  auto actual = common::Train(network, config, data, /*show_progress=*/false);
  ASSERT_TRUE(expected.ok() && actual.ok());
  EXPECT_GT(expected->back().test_accuracy, 0.6);
  EXPECT_NEAR(actual->back().test_accuracy, expected->back().test_accuracy, 0.005);
}

REGISTER_TYPED_TEST_SUITE_P(NetworkConformance, GradientsMatchFiniteDifferences,
                            ForwardMatchesStage1, GradientsMatchStage1,
                            ApplyGradientsTakesOneSgdStep, DivergenceIsReported,
                            NonFiniteLossIsReported,
                            ShortTrainingLearns, OneEpochAccuracyMatchesStage1);

#endif  // COMMON_NETWORK_CONFORMANCE_H_
