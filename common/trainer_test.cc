// common::Train's own rules, on a network that only records what it is asked.
#include "common/trainer.h"

#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/flags/reflection.h"
#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "gmock/gmock.h"
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
  // It stops at that step: a network may fuse the update into the step that computes the loss
  // (TrainStep), so that one is taken, but none after it.
  EXPECT_EQ(network.steps.size(), 2u);
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

// ---- TrainerMain: the trainer binary's whole run ------------------------------------------------

using ::testing::HasSubstr;

void WriteIdx(const std::string& path, std::vector<uint8_t> header, size_t payload, uint8_t fill) {
  std::ofstream out(path, std::ios::binary);
  header.insert(header.end(), payload, fill);
  out.write(reinterpret_cast<const char*>(header.data()),
            static_cast<std::streamsize>(header.size()));
}

// 16 training and 8 test samples, every label 3, in a fresh directory.
std::string TinyDataDir() {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/tiny";
  mkdir(dir.c_str(), 0755);
  for (const auto& [prefix, n] : {std::pair<std::string, uint8_t>("train", 16), {"t10k", 8}}) {
    WriteIdx(dir + "/" + prefix + "-images-idx3-ubyte",
             {0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28}, size_t{n} * kImagePixels, 100);
    WriteIdx(dir + "/" + prefix + "-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, n}, n, 3);
  }
  return dir;
}

struct Outcome {
  int code;
  std::string err;
};

Outcome RunMain(std::vector<std::string> args, NetworkFactory factory) {
  absl::FlagSaver saver;
  args.insert(args.begin(), "train");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  testing::internal::CaptureStderr();
  const int code = TrainerMain(static_cast<int>(argv.size()), argv.data(), "test", factory);
  return {code, testing::internal::GetCapturedStderr()};
}

// Predicts class 0 for every sample: 0 % on labels that are all 3, i.e. below chance.
absl::StatusOr<std::unique_ptr<Network>> MakeRecording(const NetworkOptions&) {
  return std::unique_ptr<Network>(new RecordingNetwork());
}

absl::StatusOr<std::unique_ptr<Network>> MakeThrowing(const NetworkOptions&) {
  throw std::bad_alloc();
}

absl::StatusOr<std::unique_ptr<Network>> MakeThrowingLater(const NetworkOptions&) {
  class Greedy : public RecordingNetwork {
    double Backward(const float*, const uint8_t*, int, float*) override { throw std::bad_alloc(); }
  };
  return std::unique_ptr<Network>(new Greedy());
}

// An allocation that fails anyway (after the memory check) ends in one line and exit 1.
TEST(TrainerMain, OutOfMemoryIsOneLine) {
  const std::string dir = TinyDataDir();
  for (NetworkFactory factory : {MakeThrowing, MakeThrowingLater}) {
    const Outcome run = RunMain({"--data_dir=" + dir, "--batch_size=4", "--epochs=1"}, factory);
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err,
              "error: out of memory: the machine could not give this run what it needs; train on "
              "fewer samples (--limit) or use a smaller --hidden\n");
  }
}

TEST(TrainerMain, ChanceLevelIsAnError) {
  const std::string dir = TinyDataDir();
  Outcome run = RunMain({"--data_dir=" + dir, "--batch_size=4", "--epochs=2"}, MakeRecording);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: test accuracy 0.00% after 2 epochs is chance level (one class in 10): the "
            "network learned nothing; train on more samples or for more epochs (--limit, "
            "--epochs), or check --learning_rate\n");
  run = RunMain({"--data_dir=" + dir, "--batch_size=4", "--epochs=1", "--learning_rate=5"},
                MakeRecording);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("the learning rate is likely too high (--learning_rate=5; the "
                                 "default is 0.1)\n"));
}

TEST(TrainerMain, HelpAndFlagErrors) {
  Outcome run = RunMain({"--help"}, MakeRecording);
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.err, "");
  run = RunMain({"--epochs"}, MakeRecording);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: --epochs needs a value, e.g. --epochs=5\n");
  // What the user typed is echoed with its control characters escaped.
  run = RunMain({"--dataset=a\nb\x1b[2J"}, MakeRecording);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: --dataset=a\\nb\\x1b[2J is unknown: use mnist or fashion (or --data_dir)\n");
}

TEST(TrainerMain, MemoryIsCheckedBeforeTheNetworkIsBuilt) {
  const Outcome run = RunMain({"--data_dir=" + TinyDataDir(), "--batch_size=4",
                               "--hidden=65536,65536,65536,65536,65536,65536,65536,65536"},
                              MakeThrowing);  // would say "out of memory" if it were called
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("error: this run needs about "));
  EXPECT_THAT(run.err, HasSubstr("use a smaller --hidden\n"));
}

}  // namespace
}  // namespace common
