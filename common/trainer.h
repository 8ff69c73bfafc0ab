#ifndef COMMON_TRAINER_H_
#define COMMON_TRAINER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/dataset.h"
#include "common/flags.h"
#include "common/network.h"
#include "common/report.h"

namespace common {

// The one training loop of every stage: start from InitParameters(seed), then per epoch shuffle
// with the seeded generator, run mini-batch SGD over data.train, and evaluate on data.test.
// A loss that turns NaN, infinite or absurdly large stops the run with an error suggesting a
// smaller learning rate.
//
// Every sample weighs the same in every step. The loss of a step is the mean over its batch, so
// a last, partial batch of n < batch_size samples would otherwise move the weights as far as a
// full one: with 8,004 samples and batch 64, four samples took a full step right before the test
// set was scored, and test accuracy jumped by up to 15 points from epoch to epoch. That batch's
// step is scaled by n / batch_size, so each of its samples moves the weights exactly as much as
// a sample of a full batch does, and no sample is dropped.
// With `show_progress`, prints a progress line during each epoch and the epoch's line after it.
absl::StatusOr<std::vector<EpochStats>> Train(Network& network, const TrainConfig& config,
                                              const Dataset& data, bool show_progress);

// Fraction of `split` the network classifies right.
double Accuracy(Network& network, const Split& split);

// main() of every stage's trainer: flags, the stage's network (`make_network` with --gemm and
// --threads), data, Train, the result line and the JSON record. Returns the process exit code;
// every error is one line on stderr.
int TrainerMain(int argc, char** argv, const char* stage, NetworkFactory make_network);

}  // namespace common

#endif  // COMMON_TRAINER_H_
