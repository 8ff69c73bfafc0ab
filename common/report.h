#ifndef COMMON_REPORT_H_
#define COMMON_REPORT_H_

#include <string>
#include <vector>

#include "common/flags.h"

namespace common {

// What one epoch measured. Seconds cover the training pass only (shuffle, batches, SGD),
// not the evaluation that follows it.
struct EpochStats {
  int epoch = 0;
  double loss = 0;            // mean training loss over the epoch's batches
  double train_accuracy = 0;  // on the training batches as they were seen (weights moving)
  double test_accuracy = 0;   // on the test split after the epoch
  double seconds = 0;
  double samples_per_second = 0;
  double gflops = 0;  // training FLOPs (common::TrainingFlopsPerSample) per second, in 1e9
};

// The record every trainer writes, so that one tool can collect all stages into one table.
struct RunRecord {
  std::string stage;    // e.g. "stage1_naive"
  std::string details;  // what the stage chose at run time, e.g. its SIMD kernel
  TrainConfig config;
  std::string dataset;  // "mnist", "fashion" or "custom"
  std::string data_dir;
  int train_samples = 0;
  int test_samples = 0;
  std::vector<int> layer_sizes;
  std::vector<EpochStats> epochs;
};

// "epoch 1/5  loss 0.4123  train 88.12%  test 90.03%  2.31 s  25,974 samples/s  9.87 GFLOP/s"
std::string EpochLine(const EpochStats& stats, int epochs);

// One line of JSON (schema "mnist_perf.run/1"), with the build and CPU it ran on.
std::string ToJson(const RunRecord& record);

}  // namespace common

#endif  // COMMON_REPORT_H_
