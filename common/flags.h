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

// Sets the trainer's flags (those of flags.cc, and any a stage's main file defines) from the
// arguments after the program name: `--name=value`, `--name value`, `-name=value`, and for a
// bool flag `--name` / `--noname`. `--help` (also -h, --helpfull) sets *help and is otherwise
// ignored. Any mistake is one line that names the argument: an unknown flag, a flag without its
// value, a value of the wrong type, a stray argument.
//
// Why not absl::ParseCommandLine: for one mistake it may print two lines ("Missing the value" and
// then "Illegal value ''"), it prints all of them for several, it exits by itself, and its
// --help shows only the flags of the main file ("No flags matched": ours live here).
absl::Status ParseFlags(const std::vector<std::string>& args, bool* help);

// The --help text after `usage`: every trainer flag with its default and its help, by name.
std::string FlagsHelp(absl::string_view usage);

// `text` with its control characters (newline, tab, escape, ...) written as \n, \t, \x1b, so
// that echoing what a user typed can neither break the one-line error nor move the terminal's
// cursor. Other bytes, UTF-8 included, stay as they are.
std::string Printable(absl::string_view text);

// Reads the flags (after ParseFlags) and checks them; the error is one line that names the
// flag. Relative paths are taken from where `bazel run` was started.
absl::StatusOr<TrainConfig> ConfigFromFlags();

// The checks ConfigFromFlags makes, for a config built any other way.
absl::Status ValidateConfig(const TrainConfig& config);

// "256,128" -> {256, 128}.
absl::StatusOr<std::vector<int>> ParseHidden(absl::string_view text);

}  // namespace common

#endif  // COMMON_FLAGS_H_
