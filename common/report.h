#ifndef COMMON_REPORT_H_
#define COMMON_REPORT_H_

#include <string>
#include <vector>

#include "common/flags.h"
#include "common/machine.h"
#include "common/network.h"

namespace common {

// What one epoch measured. Seconds cover the training pass only (shuffle, batches, SGD),
// not the evaluation that follows it.
struct EpochStats {
  int epoch = 0;
  double loss = 0;            // mean training loss over the epoch's samples
  double train_accuracy = 0;  // on the training batches as they were seen (weights moving)
  double test_accuracy = 0;   // on the test split after the epoch
  double seconds = 0;
  double samples_per_second = 0;
  double gflops = 0;  // training FLOPs (common::TrainingFlopsPerSample) per second, in 1e9
};

// The record every trainer writes (and tools/compare reads), so one tool can put every stage,
// backend and thread count into one table.
struct RunRecord {
  std::string stage;  // e.g. "stage1_naive"
  Engine engine;      // gemm, threads, details
  TrainConfig config;
  std::string dataset;  // "mnist", "fashion" or "custom"
  std::string data_dir;
  int train_samples = 0;
  int test_samples = 0;
  std::vector<int> layer_sizes;
  std::vector<EpochStats> epochs;
  Machine machine;
};

// The record's schema name. Version 2 added gemm, threads and the machine object; a reader
// should refuse versions it does not know.
inline constexpr char kRecordSchema[] = "mnist_perf.run/2";

// "epoch 1/5  loss 0.4123  train 88.12%  test 90.03%  2.31 s  25974 samples/s  9.87 GFLOP/s"
std::string EpochLine(const EpochStats& stats, int epochs);

// How the run computed, for humans: "gemm own, 1 thread, kernel avx2 6x16".
std::string EngineLine(const Engine& engine);

// One line of JSON:
//   {"schema":"mnist_perf.run/2", "stage", "gemm", "threads", "details", "dataset", "data_dir",
//    "train_samples", "test_samples", "layers":[784,128,10], "epochs", "batch_size",
//    "learning_rate", "seed", "limit", "machine":{"cpu", "cpu_family", "cpu_model", "simd",
//    "cores", "compiler", "compiled_for"}, "finished_at" (UTC, RFC 3339), "final_test_accuracy",
//    "train_seconds" (all epochs), "seconds_per_epoch", "gflops" (over all epochs),
//    "per_epoch":[{"epoch", "loss", "train_accuracy", "test_accuracy", "seconds",
//    "samples_per_second", "gflops"}, ...]}
// Accuracies are fractions (0.9312), not percents.
std::string ToJson(const RunRecord& record);

}  // namespace common

#endif  // COMMON_REPORT_H_
