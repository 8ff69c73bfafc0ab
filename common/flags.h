#ifndef COMMON_FLAGS_H_
#define COMMON_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace common {

// Everything a training run is told, the same for every stage (flags are defined in flags.cc).
struct TrainConfig {
  std::string dataset = "mnist";
  std::string data_dir;
  int epochs = 5;
  int batch_size = 64;
  double learning_rate = 0.1;
  std::vector<int> hidden = {128};
  uint64_t seed = 1;
  int limit = 0;  // 0: all training samples
  std::string json_out;
  std::string gemm;      // whose matrix products; "" = the stage's default (see NetworkOptions)
  int threads = 0;       // 0 = the stage's default
  bool profile = false;  // print where each epoch's time went (common/profile.h)
};

// Reads the flags after absl::ParseCommandLine and checks them; the error is one line that
// names the flag. Relative paths are taken from where `bazel run` was started.
absl::StatusOr<TrainConfig> ConfigFromFlags();

// The checks ConfigFromFlags makes, for a config built any other way.
absl::Status ValidateConfig(const TrainConfig& config);

// "256,128" -> {256, 128}.
absl::StatusOr<std::vector<int>> ParseHidden(absl::string_view text);

}  // namespace common

#endif  // COMMON_FLAGS_H_
