#include "common/flags.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

ABSL_FLAG(std::string, dataset, "mnist", "mnist or fashion (ignored with --data_dir)");
ABSL_FLAG(std::string, data_dir, "",
          "directory with train-/t10k- images-idx3-ubyte and labels-idx1-ubyte (optionally .gz), "
          "e.g. the official MNIST files");
ABSL_FLAG(int32_t, epochs, 5, "passes over the training data");
ABSL_FLAG(int32_t, batch_size, 64, "samples per SGD step");
ABSL_FLAG(double, learning_rate, 0.1, "SGD step size");
ABSL_FLAG(std::string, hidden, "128", "hidden layer widths, comma separated, e.g. 256,128");
ABSL_FLAG(uint64_t, seed, 1, "seed of the initial weights and of the shuffle");
ABSL_FLAG(int32_t, limit, 0, "train on the first N samples only (0: all)");
ABSL_FLAG(std::string, json_out, "", "also write the result record (JSON) to this file");
ABSL_FLAG(std::string, gemm, "",
          "whose matrix products: own, or in stage4_blas/stage5_threads a library (openblas, "
          "eigen, xnnpack); empty = the stage's default");
ABSL_FLAG(int32_t, threads, 0, "threads to train on; 0 = the stage's default (stage5: all cores)");
ABSL_FLAG(bool, profile, false, "after each epoch, print where its time went, part by part");

namespace common {
namespace {

constexpr int kMaxWidth = 65536;

// `bazel run` starts the binary in its runfiles tree; paths the user typed are relative to
// where they typed them.
std::string FromUserDirectory(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || cwd == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

// The trainer's own flags: not Abseil's built-in ones (--flagfile, --fromenv, ...), which a
// trainer has no use for.
bool IsTrainerFlag(const absl::CommandLineFlag& flag) {
  return !flag.IsRetired() && !absl::StrContains(flag.Filename(), "absl/");
}

absl::CommandLineFlag* FindTrainerFlag(absl::string_view name) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  return flag != nullptr && IsTrainerFlag(*flag) ? flag : nullptr;
}

std::string Example(const absl::CommandLineFlag& flag) {
  const std::string value = flag.DefaultValue();
  return absl::StrCat("--", flag.Name(), "=", value.empty() ? "VALUE" : value);
}

std::string Expected(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<double>() || flag.IsOfType<float>()) return "a number";
  if (flag.IsOfType<uint64_t>() || flag.IsOfType<uint32_t>()) return "a whole number from 0 up";
  if (flag.IsOfType<bool>()) return "true or false";
  if (flag.IsOfType<int32_t>()) return "a whole number of at most 2147483647";
  return "a whole number";
}

}  // namespace

std::string Printable(absl::string_view text) {
  std::string out;
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    } else {
      out += c;
    }
  }
  return out;
}

absl::Status ParseFlags(const std::vector<std::string>& args, bool* help) {
  *help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument '", args[i + 1], "': options are --flag=value"));
      }
      break;
    }
    absl::string_view name = arg;
    if (!absl::ConsumePrefix(&name, "--")) absl::ConsumePrefix(&name, "-");
    if (name.size() == arg.size() || name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "': options are --flag=value"));
    }
    const size_t equals = name.find('=');
    const bool has_value = equals != absl::string_view::npos;
    absl::string_view value = has_value ? name.substr(equals + 1) : "";
    name = name.substr(0, equals);
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "h") {
      *help = true;
      continue;
    }
    absl::CommandLineFlag* flag = FindTrainerFlag(name);
    if (flag == nullptr && !has_value && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated = FindTrainerFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        flag = negated;
        value = "false";
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag '", arg, "': see --help for the flags"));
    }
    std::string separate_value;
    if (!has_value && value.empty()) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        separate_value = args[++i];  // `--epochs 3`
        value = separate_value;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value, e.g. ", Example(*flag)));
      }
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, "=", value, ": expected ",
                                                     Expected(*flag), ", e.g. ", Example(*flag)));
    }
  }
  return absl::OkStatus();
}

std::string FlagsHelp(absl::string_view usage) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsTrainerFlag(*flag)) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string out =
      absl::StrCat(usage, "\n\nFlags (--name=value or --name value; the default after =):\n");
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string value = flag->DefaultValue();
    absl::StrAppendFormat(&out, "  %-20s %s\n",
                          absl::StrCat("--", flag->Name(), "=", value.empty() ? "\"\"" : value),
                          flag->Help());
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseHidden(absl::string_view text) {
  std::vector<int> widths;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int width = 0;
    if (!absl::SimpleAtoi(part, &width) || width < 1 || width > kMaxWidth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--hidden=", text, ": each width must be a whole number from 1 to 65536, e.g. 256,128"));
    }
    widths.push_back(width);
  }
  return widths;
}

absl::Status ValidateConfig(const TrainConfig& c) {
  auto bad = [](absl::string_view message) { return absl::InvalidArgumentError(message); };
  if (c.epochs < 1) return bad(absl::StrCat("--epochs=", c.epochs, ": must be at least 1"));
  if (c.batch_size < 1) {
    return bad(absl::StrCat("--batch_size=", c.batch_size, ": must be at least 1"));
  }
  // The networks compute in float: a rate below FLT_MIN would be 0 or a denormal there (1e-46
  // becomes 0 and trains nothing), above FLT_MAX infinite.
  if (!(c.learning_rate >= FLT_MIN && c.learning_rate <= FLT_MAX)) {
    return bad(absl::StrCat("--learning_rate=", c.learning_rate,
                            ": must be a positive number from 1.2e-38 to 3.4e38 (a normal float), "
                            "e.g. 0.1"));
  }
  if (c.limit < 0) {
    return bad(absl::StrCat("--limit=", c.limit, ": must be 0 (all samples) or more"));
  }
  if (c.limit > 0 && c.batch_size > c.limit) {
    return bad(absl::StrCat("--batch_size=", c.batch_size, " is larger than --limit=", c.limit));
  }
  if (c.threads < 0) {
    return bad(absl::StrCat("--threads=", c.threads, ": must be 0 (the stage's default) or more"));
  }
  if (c.hidden.empty()) return bad("--hidden: give at least one width, e.g. 128");
  for (int width : c.hidden) {
    if (width < 1 || width > kMaxWidth) {
      return bad(absl::StrCat("--hidden=", absl::StrJoin(c.hidden, ","),
                              ": each width must be a whole number from 1 to 65536, e.g. 256,128"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TrainConfig> ConfigFromFlags() {
  TrainConfig c;
  c.dataset = absl::GetFlag(FLAGS_dataset);
  c.data_dir = FromUserDirectory(absl::GetFlag(FLAGS_data_dir));
  c.epochs = absl::GetFlag(FLAGS_epochs);
  c.batch_size = absl::GetFlag(FLAGS_batch_size);
  c.learning_rate = absl::GetFlag(FLAGS_learning_rate);
  absl::StatusOr<std::vector<int>> hidden = ParseHidden(absl::GetFlag(FLAGS_hidden));
  if (!hidden.ok()) return hidden.status();
  c.hidden = *hidden;
  c.seed = absl::GetFlag(FLAGS_seed);
  c.limit = absl::GetFlag(FLAGS_limit);
  c.json_out = FromUserDirectory(absl::GetFlag(FLAGS_json_out));
  c.gemm = absl::GetFlag(FLAGS_gemm);
  c.threads = absl::GetFlag(FLAGS_threads);
  c.profile = absl::GetFlag(FLAGS_profile);
  absl::Status status = ValidateConfig(c);
  if (!status.ok()) return status;
  return c;
}

}  // namespace common
