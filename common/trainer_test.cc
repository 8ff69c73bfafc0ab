// common::Train's own rules, on a network that only records what it is asked.
#include "common/trainer.h"

#include <cmath>
#include <memory>
#include <vector>

#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "gtest/gtest.h"

namespace common {
namespace {

// Loss 1 for every batch; remembers the batch sizes and learning rates it was given.
class RecordingNetwork : public Network {
 public:
  void SetParameters(const Parameters&) override {}
  Parameters GetParameters() const override { return {}; }
  void Forward(const float*, int batch, float* logits) override {
    std::fill(logits, logits + batch * kClasses, 0.0f);
  }
  double Backward(const float*, const uint8_t*, int batch, float* logits) override {
    batches.push_back(batch);
    Forward(nullptr, batch, logits);
    return 1.0;
  }
  Parameters GetGradients() const override { return {}; }
  void ApplyGradients(float learning_rate) override { steps.push_back(learning_rate); }

  std::vector<int> batches;
  std::vector<float> steps;
};

Dataset TinyData(int train) {
  Dataset data;
  data.train.count = train;
  data.train.pixels.assign(static_cast<size_t>(train) * kImagePixels, 128);
  data.train.labels.assign(train, 3);
  data.test = data.train;
  return data;
}

// 10 samples in batches of 4: 4, 4 and a last batch of 2, whose step is half as long, so each
// of its samples moves the weights as much as one of a full batch does.
TEST(Train, PartialLastBatchTakesAProportionalStep) {
  RecordingNetwork network;
  TrainConfig config;
  config.hidden = {8};
  config.epochs = 2;
  config.batch_size = 4;
  config.learning_rate = 0.2;
  absl::StatusOr<std::vector<EpochStats>> epochs =
      Train(network, config, TinyData(10), /*show_progress=*/false);
  ASSERT_TRUE(epochs.ok()) << epochs.status();
  EXPECT_EQ(network.batches, (std::vector<int>{4, 4, 2, 4, 4, 2}));
  EXPECT_EQ(network.steps, (std::vector<float>{0.2f, 0.2f, 0.1f, 0.2f, 0.2f, 0.1f}));
  EXPECT_DOUBLE_EQ((*epochs)[0].loss, 1.0);           // a mean over samples, not over batches
  EXPECT_DOUBLE_EQ((*epochs)[0].test_accuracy, 0.0);  // logits all 0 -> class 0, labels 3
}

// A loss that is not a number stops the run with one line that says what to do.
TEST(Train, NonFiniteLossStopsTheRun) {
  class NanNetwork : public RecordingNetwork {
    double Backward(const float* x, const uint8_t* y, int batch, float* logits) override {
      RecordingNetwork::Backward(x, y, batch, logits);
      return batches.size() == 2 ? std::nan("") : 1.0;
    }
  } network;
  TrainConfig config;
  config.epochs = 1;
  config.batch_size = 2;
  absl::StatusOr<std::vector<EpochStats>> result =
      Train(network, config, TinyData(10), /*show_progress=*/false);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "training diverged: the loss became nan in epoch 1 at sample 2; try a smaller "
            "--learning_rate (now 0.1)");
  EXPECT_EQ(network.steps.size(), 1u);  // the NaN gradient was never applied
}

TEST(Train, FullBatchesTakeFullSteps) {
  RecordingNetwork network;
  TrainConfig config;
  config.epochs = 1;
  config.batch_size = 5;
  config.learning_rate = 0.1;
  ASSERT_TRUE(Train(network, config, TinyData(10), /*show_progress=*/false).ok());
  EXPECT_EQ(network.steps, (std::vector<float>{0.1f, 0.1f}));
}

}  // namespace
}  // namespace common
