#include "common/report.h"

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace common {
namespace {

std::string Quote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The CPU's marketing name from /proc/cpuinfo (Linux); "unknown" elsewhere.
std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

// The widest vector instructions the compiler was allowed to use for this binary
// (`--config=native` raises it; stage 3 picks its kernel at run time regardless).
const char* CompiledFor() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__)
  return "avx2";
#elif defined(__x86_64__)
  return "x86-64 (sse2)";
#elif defined(__aarch64__)
  return "arm64 (neon)";
#else
  return "generic";
#endif
}

}  // namespace

std::string EpochLine(const EpochStats& s, int epochs) {
  return absl::StrFormat(
      "epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  %.2f s  %.0f samples/s  %.2f GFLOP/s",
      s.epoch, epochs, s.loss, 100 * s.train_accuracy, 100 * s.test_accuracy, s.seconds,
      s.samples_per_second, s.gflops);
}

std::string ToJson(const RunRecord& r) {
  std::vector<std::string> epochs;
  double seconds = 0;
  for (const EpochStats& e : r.epochs) {
    seconds += e.seconds;
    epochs.push_back(absl::StrFormat(
        "{\"epoch\":%d,\"loss\":%.6g,\"train_accuracy\":%.6g,\"test_accuracy\":%.6g,"
        "\"seconds\":%.6g,\"samples_per_second\":%.6g,\"gflops\":%.6g}",
        e.epoch, e.loss, e.train_accuracy, e.test_accuracy, e.seconds, e.samples_per_second,
        e.gflops));
  }
  const TrainConfig& c = r.config;
  const double final_accuracy = r.epochs.empty() ? 0 : r.epochs.back().test_accuracy;
  return absl::StrCat(
      "{\"schema\":\"mnist_perf.run/1\",\"stage\":", Quote(r.stage),
      ",\"details\":", Quote(r.details), ",\"dataset\":", Quote(r.dataset),
      ",\"data_dir\":", Quote(r.data_dir), ",\"train_samples\":", r.train_samples,
      ",\"test_samples\":", r.test_samples, ",\"layers\":[", absl::StrJoin(r.layer_sizes, ","),
      "],\"epochs\":", c.epochs, ",\"batch_size\":", c.batch_size,
      ",\"learning_rate\":", absl::StrFormat("%.6g", c.learning_rate), ",\"seed\":", c.seed,
      ",\"compiled_for\":", Quote(CompiledFor()), ",\"cpu\":", Quote(CpuModel()),
      ",\"finished_at\":", Quote(absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())),
      ",\"final_test_accuracy\":", absl::StrFormat("%.6g", final_accuracy),
      ",\"train_seconds\":", absl::StrFormat("%.6g", seconds),
      ",\"per_epoch\":[", absl::StrJoin(epochs, ","), "]}");
}

}  // namespace common
