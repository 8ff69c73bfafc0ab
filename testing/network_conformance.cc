#include "testing/network_conformance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "common/rng.h"
#include "common/trainer.h"
#include "gtest/gtest.h"

namespace conformance {

std::unique_ptr<common::Network> NetworkUnderTest::Make(const std::vector<int>& sizes) const {
  absl::StatusOr<std::unique_ptr<common::Network>> network = factory({sizes, gemm, threads});
  if (!network.ok()) {
    ADD_FAILURE() << name << ": " << network.status().message();
    return nullptr;
  }
  return std::move(*network);
}

std::vector<NetworkUnderTest> ForEachGemm(common::NetworkFactory factory,
                                          const std::vector<std::string>& gemms, int threads) {
  std::vector<NetworkUnderTest> networks;
  for (const std::string& gemm : gemms) networks.push_back({gemm, factory, gemm, threads});
  return networks;
}

std::vector<float> RandomInputs(int count, int width, uint64_t seed) {
  common::Rng rng(seed);
  std::vector<float> x(static_cast<size_t>(count) * width);
  for (float& v : x) v = static_cast<float>(rng.Uniform());
  return x;
}

std::vector<uint8_t> RandomLabels(int count, uint64_t seed) {
  common::Rng rng(seed);
  std::vector<uint8_t> labels(count);
  for (uint8_t& label : labels) label = static_cast<uint8_t>(rng.Below(common::kClasses));
  return labels;
}

common::Parameters TestParameters(const std::vector<int>& sizes, uint64_t seed) {
  common::Parameters p = common::InitParameters(sizes, seed);
  common::Rng rng(seed + 1);
  for (common::Layer& layer : p.layers) {
    for (float& b : layer.bias) b = static_cast<float>(0.1 * rng.Normal());
  }
  return p;
}

Problem MakeProblem(std::vector<int> sizes, int batch, uint64_t seed) {
  Problem p{std::move(sizes), batch, {}, {}, {}};
  p.x = RandomInputs(batch, p.sizes[0], seed);
  p.labels = RandomLabels(batch, seed + 1);
  p.parameters = TestParameters(p.sizes, seed + 2);
  return p;
}

double MeanLoss(const std::vector<float>& logits, const std::vector<uint8_t>& labels) {
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

common::Dataset FashionSubset(int train, int test) {
  static const common::Dataset* fashion = [] {
    absl::StatusOr<common::Dataset> loaded = common::LoadDataset("fashion", "");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().message();
      return new common::Dataset();
    }
    return new common::Dataset(std::move(*loaded));
  }();
  common::Dataset subset = *fashion;
  common::Truncate(subset.train, train);
  common::Truncate(subset.test, test);
  return subset;
}

}  // namespace conformance

namespace {

using conformance::MakeProblem;

// Central differences of the loss against the network's own backpropagation. Where a step of
// +-eps crosses a ReLU kink the two one-sided differences disagree; such coordinates are skipped
// (and must stay rare).
TEST_P(NetworkConformance, GradientsMatchFiniteDifferences) {
  const conformance::Problem problem = MakeProblem({20, 16, 12, common::kClasses}, 5, 11);
  // Plain references, not a structured binding: C++17 lambdas cannot capture those.
  const std::vector<int>& sizes = problem.sizes;
  const int batch = problem.batch;
  const std::vector<float>& x = problem.x;
  const std::vector<uint8_t>& labels = problem.labels;
  const common::Parameters& start = problem.parameters;
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  network->SetParameters(start);
  std::vector<float> logits(batch * common::kClasses);
  network->Backward(x.data(), labels.data(), batch, logits.data());
  const common::Parameters gradients = network->GetGradients();

  auto loss_with = [&](int layer, bool is_bias, int index, float delta) {
    common::Parameters p = start;
    (is_bias ? p.layers[layer].bias : p.layers[layer].weights)[index] += delta;
    network->SetParameters(p);
    network->Forward(x.data(), batch, logits.data());
    return conformance::MeanLoss(logits, labels);
  };
  const float eps = 3e-3f;
  int checked = 0, skipped = 0;
  for (int l = 0; l < static_cast<int>(start.layers.size()); ++l) {
    for (bool is_bias : {false, true}) {
      const common::Layer& layer = start.layers[l];
      const int count = static_cast<int>((is_bias ? layer.bias : layer.weights).size());
      for (int index = 0; index < count; index += is_bias ? 1 : 7) {
        const double f0 = loss_with(l, is_bias, index, 0);
        const double up = (loss_with(l, is_bias, index, eps) - f0) / eps;
        const double down = (f0 - loss_with(l, is_bias, index, -eps)) / eps;
        if (std::abs(up - down) > 2e-3) {
          ++skipped;
          continue;
        }
        const double numeric = (up + down) / 2;
        const common::Layer& g = gradients.layers[l];
        const double analytic = (is_bias ? g.bias : g.weights)[index];
        EXPECT_NEAR(analytic, numeric, 1e-3 + 1e-2 * std::abs(numeric))
            << "layer " << l << (is_bias ? " bias " : " weight ") << index;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_LE(skipped, checked / 20) << "too many ReLU kinks hit; checked " << checked;
}

// An SGD step moves every parameter by -learning_rate * gradient.
TEST_P(NetworkConformance, ApplyGradientsTakesOneSgdStep) {
  const auto [sizes, batch, x, labels, before] = MakeProblem({30, 20, common::kClasses}, 4, 41);
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  network->SetParameters(before);
  std::vector<float> logits(batch * common::kClasses);
  network->Backward(x.data(), labels.data(), batch, logits.data());
  const common::Parameters gradients = network->GetGradients();
  network->ApplyGradients(0.5f);
  const common::Parameters after = network->GetParameters();
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

// TrainStep, what the trainer calls, is Backward then ApplyGradients, even where a stage fuses
// the two: the same losses, logits and parameters over a few steps, two hidden layers deep.
TEST_P(NetworkConformance, TrainStepIsBackwardThenApplyGradients) {
  const auto [sizes, batch, x, labels, start] = MakeProblem({30, 24, 20, common::kClasses}, 7, 43);
  std::unique_ptr<common::Network> fused = Make(sizes), separate = Make(sizes);
  ASSERT_NE(fused, nullptr);
  ASSERT_NE(separate, nullptr);
  fused->SetParameters(start);
  separate->SetParameters(start);
  std::vector<float> logits(batch * common::kClasses), expected_logits(logits.size());
  for (int step = 0; step < 3; ++step) {
    const double expected_loss =
        separate->Backward(x.data(), labels.data(), batch, expected_logits.data());
    separate->ApplyGradients(0.5f);
    const double loss = fused->TrainStep(x.data(), labels.data(), batch, logits.data(), 0.5f);
    EXPECT_NEAR(loss, expected_loss, 1e-5 * expected_loss) << "step " << step;
    for (size_t i = 0; i < logits.size(); ++i) {
      ASSERT_NEAR(logits[i], expected_logits[i], 1e-4f) << "step " << step << " logit " << i;
    }
  }
  const common::Parameters actual = fused->GetParameters(), expected = separate->GetParameters();
  for (size_t l = 0; l < expected.layers.size(); ++l) {
    for (size_t i = 0; i < expected.layers[l].weights.size(); ++i) {
      ASSERT_NEAR(actual.layers[l].weights[i], expected.layers[l].weights[i], 1e-5f)
          << "layer " << l << " weight " << i;
    }
    for (size_t j = 0; j < expected.layers[l].bias.size(); ++j) {
      ASSERT_NEAR(actual.layers[l].bias[j], expected.layers[l].bias[j], 1e-5f)
          << "layer " << l << " bias " << j;
    }
  }
}

// A sample's logits do not depend on the batch it came in: one sample at a time gives what the
// whole batch gives (catches kernels or thread splits that mix rows up at the batch's edges).
TEST_P(NetworkConformance, ForwardDoesNotDependOnTheBatch) {
  const auto [sizes, batch, x, labels, p] =
      MakeProblem({common::kImagePixels, 40, common::kClasses}, 19, 51);
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  network->SetParameters(p);
  std::vector<float> together(batch * common::kClasses), alone(common::kClasses);
  network->Forward(x.data(), batch, together.data());
  for (int s = 0; s < batch; ++s) {
    network->Forward(&x[static_cast<size_t>(s) * sizes[0]], 1, alone.data());
    for (int j = 0; j < common::kClasses; ++j) {
      const float want = together[s * common::kClasses + j];
      EXPECT_NEAR(alone[j], want, 1e-5 * (1 + std::abs(want))) << "sample " << s << " class " << j;
    }
  }
}

// A learning rate far too large must end the run with an error, not train on garbage.
TEST_P(NetworkConformance, DivergenceIsReported) {
  const common::Dataset data = conformance::FashionSubset(640, 100);
  common::TrainConfig config;
  config.hidden = {32};
  config.epochs = 1;
  config.batch_size = 16;
  config.learning_rate = 1e6;
  std::unique_ptr<common::Network> network = Make(common::LayerSizes(config.hidden));
  ASSERT_NE(network, nullptr);
  absl::StatusOr<std::vector<common::EpochStats>> result =
      common::Train(*network, config, data, /*show_progress=*/false);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("diverged"), std::string::npos);
  EXPECT_NE(result.status().message().find("--learning_rate"), std::string::npos);
}

// A NaN anywhere in the arithmetic (here from an infinite input: inf - inf in the second layer)
// must reach the loss, which is what common::Train watches to stop the run.
TEST_P(NetworkConformance, NonFiniteArithmeticReachesTheLoss) {
  auto [sizes, batch, x, labels, p] =
      MakeProblem({common::kImagePixels, 32, common::kClasses}, 8, 61);
  x[100] = std::numeric_limits<float>::infinity();
  std::unique_ptr<common::Network> network = Make(sizes);
  ASSERT_NE(network, nullptr);
  network->SetParameters(p);
  std::vector<float> logits(batch * common::kClasses);
  const double loss = network->Backward(x.data(), labels.data(), batch, logits.data());
  EXPECT_FALSE(std::isfinite(loss)) << loss;
}

// A few hundred real samples: the loss falls and accuracy is far above chance (10 %).
TEST_P(NetworkConformance, ShortTrainingLearns) {
  const common::Dataset data = conformance::FashionSubset(600, 1000);
  common::TrainConfig config;
  config.hidden = {64};
  config.epochs = 6;
  config.batch_size = 16;
  std::unique_ptr<common::Network> network = Make(common::LayerSizes(config.hidden));
  ASSERT_NE(network, nullptr);
  absl::StatusOr<std::vector<common::EpochStats>> epochs =
      common::Train(*network, config, data, /*show_progress=*/false);
  ASSERT_TRUE(epochs.ok()) << epochs.status();
  EXPECT_LT(epochs->back().loss, 0.7 * epochs->front().loss);
  EXPECT_GT(epochs->back().test_accuracy, 0.6);
}

// The stage refuses what it does not offer with an error that names it, so the trainer can
// print one line and exit 1.
TEST_P(NetworkConformance, UnknownGemmIsRefused) {
  absl::StatusOr<std::unique_ptr<common::Network>> network =
      GetParam().factory({common::LayerSizes({16}), "no_such_gemm", GetParam().threads});
  ASSERT_FALSE(network.ok());
  EXPECT_EQ(network.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(network.status().message().find("no_such_gemm"), std::string::npos) << network.status();
}

// What the network says it computes with is what it was asked for.
TEST_P(NetworkConformance, DescribesItsEngine) {
  std::unique_ptr<common::Network> network = Make(common::LayerSizes({16}));
  ASSERT_NE(network, nullptr);
  const common::Engine engine = network->Describe();
  if (GetParam().gemm.empty()) {
    EXPECT_FALSE(engine.gemm.empty());  // the stage's default, whichever it is
  } else {
    EXPECT_EQ(engine.gemm, GetParam().gemm);
  }
  if (GetParam().threads > 0) {
    EXPECT_EQ(engine.threads, GetParam().threads);
  }
  EXPECT_GE(engine.threads, 1);
}

}  // namespace
