#include "common/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/machine.h"
#include "common/memory.h"
#include "common/model.h"
#include "common/profile.h"
#include "common/record_file.h"
#include "common/rng.h"

namespace common {
namespace {

constexpr double kDivergedLoss = 1000;

int ArgMax(const float* logits) {
  return static_cast<int>(std::max_element(logits, logits + kClasses) - logits);
}

// A line that redraws itself on a terminal; in a log file, one line every 10 seconds.
class Progress {
 public:
  Progress(bool enabled, int epoch, int epochs)
      : enabled_(enabled), tty_(isatty(fileno(stderr))), epoch_(epoch), epochs_(epochs) {}

  void Update(int done, int total, double loss, absl::Time start) {
    if (!enabled_) return;
    const absl::Time now = absl::Now();
    if (now - last_ < (tty_ ? absl::Milliseconds(250) : absl::Seconds(10))) return;
    last_ = now;
    const double rate = done / std::max(1e-9, absl::ToDoubleSeconds(now - start));
    std::fprintf(stderr, "%sepoch %d/%d  %3d%%  loss %.4f  %.0f samples/s  eta %.0f s%s",
                 tty_ ? "\r" : "", epoch_, epochs_, 100 * done / total, loss, rate,
                 (total - done) / rate, tty_ ? "\033[K" : "\n");
  }

  ~Progress() {
    if (enabled_ && tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_, tty_;
  int epoch_, epochs_;
  absl::Time last_ = absl::Now();
};

}  // namespace

double Accuracy(Network& network, const Split& split) {
  constexpr int kChunk = 500;
  std::vector<float> inputs(static_cast<size_t>(kChunk) * kImagePixels), logits(kChunk * kClasses);
  int correct = 0;
  for (int start = 0; start < split.count; start += kChunk) {
    const int n = std::min(kChunk, split.count - start);
    CopyPixels(split, start, n, inputs.data());
    network.Forward(inputs.data(), n, logits.data());
    for (int i = 0; i < n; ++i) correct += ArgMax(&logits[i * kClasses]) == split.labels[start + i];
  }
  return split.count == 0 ? 0.0 : static_cast<double>(correct) / split.count;
}

absl::StatusOr<std::vector<EpochStats>> Train(Network& network, const TrainConfig& config,
                                              const Dataset& data, bool show_progress) {
  const std::vector<int> sizes = LayerSizes(config.hidden);
  network.SetParameters(InitParameters(sizes, config.seed));
  // A stream of its own, so the shuffle does not depend on how many weights were drawn.
  Rng shuffle_rng(config.seed ^ 0x5eed5eed5eed5eedULL);
  const Split& train = data.train;
  std::vector<int> order(train.count);
  for (int i = 0; i < train.count; ++i) order[i] = i;

  const int batch_size = config.batch_size;
  std::vector<float> inputs(static_cast<size_t>(batch_size) * kImagePixels);
  std::vector<uint8_t> labels(batch_size);
  std::vector<float> logits(static_cast<size_t>(batch_size) * kClasses);
  std::vector<EpochStats> history;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    Progress progress(show_progress, epoch, config.epochs);
    EnableProfile(config.profile);
    const absl::Time start = absl::Now();
    {
      PROFILE_SCOPE("shuffle");
      shuffle_rng.Shuffle(order);
    }
    double loss_sum = 0;
    int correct = 0;
    for (int first = 0; first < train.count; first += batch_size) {
      const int n = std::min(batch_size, train.count - first);
      {
        PROFILE_SCOPE("gather batch");  // the shuffled samples into one contiguous batch
        const int next = first + batch_size;
        const int next_n = std::max(0, std::min(batch_size, train.count - next));
        network.ForRows(n, [&](int begin, int end) {
          const int* samples = order.data() + first + begin;
          GatherPixels(train, samples, end - begin,
                       &inputs[static_cast<size_t>(begin) * kImagePixels]);
          for (int i = begin; i < end; ++i) labels[i] = train.labels[order[first + i]];
          // The next batch's images are scattered over the whole data set, far beyond the
          // caches: ask for them now, so that they arrive while this batch trains.
          const int prefetch_end = std::min(end, next_n);
          if (begin < prefetch_end) {
            PrefetchPixels(train, order.data() + next + begin, prefetch_end - begin);
          }
        });
      }
      // Every sample weighs the same: the loss is a batch mean, so a last, partial batch of
      // n < batch_size samples takes a step of n / batch_size the size (see trainer.h).
      const float learning_rate = static_cast<float>(config.learning_rate * n / batch_size);
      const double loss =
          network.TrainStep(inputs.data(), labels.data(), n, logits.data(), learning_rate);
      // A healthy run starts near ln(10) = 2.3; a mean of 1000 nats means the weights have
      // blown up (ReLU networks then often die instead of reaching NaN, so test both).
      if (!std::isfinite(loss) || loss > kDivergedLoss) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "training diverged: the loss became %g in epoch %d at sample %d; try a smaller "
            "--learning_rate (now %g)",
            loss, epoch, first, config.learning_rate));
      }
      loss_sum += loss * n;
      for (int i = 0; i < n; ++i) correct += ArgMax(&logits[i * kClasses]) == labels[i];
      progress.Update(first + n, train.count, loss_sum / (first + n), start);
    }
    EpochStats stats;
    stats.epoch = epoch;
    stats.seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const std::vector<ProfilePart> profile = TakeProfile();
    EnableProfile(false);  // the evaluation below is not part of the epoch's time
    stats.loss = loss_sum / train.count;
    stats.train_accuracy = static_cast<double>(correct) / train.count;
    stats.samples_per_second = train.count / stats.seconds;
    stats.gflops = stats.samples_per_second * TrainingFlopsPerSample(sizes) / 1e9;
    stats.test_accuracy = Accuracy(network, data.test);
    if (show_progress) std::printf("%s\n", EpochLine(stats, config.epochs).c_str());
    if (show_progress && config.profile) {
      std::printf("where epoch %d's %.3f s went:\n%s", epoch, stats.seconds,
                  ProfileTable(profile, stats.seconds).c_str());
    }
    std::fflush(stdout);
    history.push_back(stats);
  }
  return history;
}

namespace {

int Fail(absl::string_view message) {
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s\n", Printable(message).c_str());
  return 1;
}

// One class in ten: a network that learned nothing (every ReLU dead, say) scores about this.
constexpr double kChanceAccuracy = 1.0 / kClasses;

int RunTrainer(int argc, char** argv, const char* stage, NetworkFactory make_network) {
  bool help = false;
  absl::Status parsed = ParseFlags(std::vector<std::string>(argv + 1, argv + argc), &help);
  if (!parsed.ok()) return Fail(parsed.message());
  if (help) {
    std::printf("%s", FlagsHelp(absl::StrCat("train: trains the MNIST perceptron of ", stage,
                                             ".\nExample: bazel run //", stage,
                                             ":train -- --dataset=fashion --epochs=1"))
                          .c_str());
    return 0;
  }
  absl::StatusOr<TrainConfig> config = ConfigFromFlags();
  if (!config.ok()) return Fail(config.status().message());

  // Everything that can be checked before the data is loaded and the network built is: a typo
  // should cost a second, not a training run (or the machine's memory).
  std::unique_ptr<RecordFile> json_file;
  if (!config->json_out.empty()) {
    absl::StatusOr<std::unique_ptr<RecordFile>> opened = RecordFile::Open(config->json_out);
    if (!opened.ok()) return Fail(opened.status().message());
    json_file = std::move(*opened);
  }
  absl::StatusOr<DatasetShape> shape = PeekDataset(config->dataset, config->data_dir);
  if (!shape.ok()) return Fail(shape.status().message());
  const int train_count =
      config->limit > 0 ? std::min(config->limit, shape->train_count) : shape->train_count;
  if (config->batch_size > train_count) {
    return Fail(absl::StrCat("--batch_size=", config->batch_size, " is larger than the ",
                             train_count, " training samples"));
  }
  const std::vector<int> sizes = LayerSizes(config->hidden);
  const MemoryNeed need = {DataBytes(train_count, shape->test_count),
                           ModelBytes(sizes, config->batch_size)};
  absl::Status memory = CheckMemory(need, AvailableMemory());
  if (!memory.ok()) return Fail(memory.message());

  absl::StatusOr<std::unique_ptr<Network>> network =
      make_network({sizes, config->gemm, config->threads});
  if (!network.ok()) return Fail(network.status().message());
  absl::StatusOr<Dataset> data = LoadDataset(config->dataset, config->data_dir, config->limit);
  if (!data.ok()) return Fail(data.status().message());

  RunRecord record;
  record.stage = stage;
  record.engine = (*network)->Describe();
  record.config = *config;
  record.dataset = data->name;
  record.data_dir = data->dir;
  record.train_samples = data->train.count;
  record.test_samples = data->test.count;
  record.layer_sizes = sizes;
  record.machine = ThisMachine();
  std::printf(
      "%s (%s): %s perceptron on %s (%d train / %d test samples from %s), batch %d, "
      "learning rate %g, %d epochs\n",
      stage, EngineLine(record.engine).c_str(), absl::StrJoin(sizes, "-").c_str(),
      data->name.c_str(), data->train.count, data->test.count, Printable(data->dir).c_str(),
      config->batch_size, config->learning_rate, config->epochs);
  std::fflush(stdout);

  absl::StatusOr<std::vector<EpochStats>> epochs =
      Train(**network, *config, *data, /*show_progress=*/true);
  if (!epochs.ok()) return Fail(epochs.status().message());
  record.epochs = *epochs;

  double seconds = 0;
  for (const EpochStats& e : record.epochs) seconds += e.seconds;
  const double accuracy = record.epochs.back().test_accuracy;
  std::printf("%s: test accuracy %.2f%% after %d epochs, %.3f s per epoch on %s\n", stage,
              100 * accuracy, config->epochs, seconds / config->epochs,
              MachineLine(record.machine).c_str());
  // The record is for programs: written to --json_out, and to stdout when that is a pipe or a
  // file (the last line), not to a person's terminal.
  const std::string json = ToJson(record);
  if (!isatty(fileno(stdout))) std::printf("%s\n", json.c_str());
  if (json_file != nullptr) {
    absl::Status written = json_file->Commit(json + "\n");
    if (!written.ok()) return Fail(written.message());
  }
  // A run that ends where guessing would is a failure, even though nothing crashed.
  if (accuracy < 1.5 * kChanceAccuracy) {
    const double default_rate = TrainConfig().learning_rate;
    return Fail(absl::StrFormat(
        "test accuracy %.2f%% after %d epochs is chance level (one class in %d): the network "
        "learned nothing; %s",
        100 * accuracy, config->epochs, kClasses,
        config->learning_rate > default_rate
            ? absl::StrFormat("the learning rate is likely too high (--learning_rate=%g; the "
                              "default is %g)",
                              config->learning_rate, default_rate)
            : "train on more samples or for more epochs (--limit, --epochs), or check "
              "--learning_rate"));
  }
  return 0;
}

}  // namespace

int TrainerMain(int argc, char** argv, const char* stage, NetworkFactory make_network) {
  // Memory is checked before anything big is allocated (CheckMemory), but an allocation can
  // still fail (another process took the memory meanwhile): one line, not an abort.
  try {
    return RunTrainer(argc, argv, stage, make_network);
  } catch (const std::bad_alloc&) {
    return Fail(
        "out of memory: the machine could not give this run what it needs; train on fewer "
        "samples (--limit) or use a smaller --hidden");
  } catch (const std::exception& e) {
    return Fail(absl::StrCat("unexpected error: ", e.what()));
  }
}

}  // namespace common
