#include "common/report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/model.h"

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

std::string Number(double value) { return absl::StrFormat("%.6g", value); }

std::string MachineJson(const Machine& m) {
  return absl::StrCat("{\"cpu\":", Quote(m.cpu), ",\"cpu_family\":", m.cpu_family,
                      ",\"cpu_model\":", m.cpu_model, ",\"simd\":", Quote(m.simd),
                      ",\"cores\":", m.cores, ",\"compiler\":", Quote(m.compiler),
                      ",\"compiled_for\":", Quote(m.compiled_for), "}");
}

}  // namespace

std::string EpochLine(const EpochStats& s, int epochs) {
  return absl::StrFormat(
      "epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  %.2f s  %.0f samples/s  %.2f GFLOP/s",
      s.epoch, epochs, s.loss, 100 * s.train_accuracy, 100 * s.test_accuracy, s.seconds,
      s.samples_per_second, s.gflops);
}

std::string EngineLine(const Engine& e) {
  return absl::StrCat("gemm ", e.gemm, ", ", e.threads, e.threads == 1 ? " thread" : " threads",
                      e.details.empty() ? "" : ", ", e.details);
}

std::string ToJson(const RunRecord& r) {
  std::vector<std::string> epochs;
  double seconds = 0;
  for (const EpochStats& e : r.epochs) {
    seconds += e.seconds;
    epochs.push_back(absl::StrCat("{\"epoch\":", e.epoch, ",\"loss\":", Number(e.loss),
                                  ",\"train_accuracy\":", Number(e.train_accuracy),
                                  ",\"test_accuracy\":", Number(e.test_accuracy),
                                  ",\"seconds\":", Number(e.seconds),
                                  ",\"samples_per_second\":", Number(e.samples_per_second),
                                  ",\"gflops\":", Number(e.gflops), "}"));
  }
  const TrainConfig& c = r.config;
  const double final_accuracy = r.epochs.empty() ? 0 : r.epochs.back().test_accuracy;
  const double samples = static_cast<double>(r.train_samples) * r.epochs.size();
  const double gflops =
      seconds > 0 ? samples * TrainingFlopsPerSample(r.layer_sizes) / seconds / 1e9 : 0;
  return absl::StrCat(
      "{\"schema\":", Quote(kRecordSchema), ",\"stage\":", Quote(r.stage),
      ",\"gemm\":", Quote(r.engine.gemm), ",\"threads\":", r.engine.threads,
      ",\"details\":", Quote(r.engine.details), ",\"dataset\":", Quote(r.dataset),
      ",\"data_dir\":", Quote(r.data_dir), ",\"train_samples\":", r.train_samples,
      ",\"test_samples\":", r.test_samples, ",\"layers\":[", absl::StrJoin(r.layer_sizes, ","),
      "],\"epochs\":", c.epochs, ",\"batch_size\":", c.batch_size,
      ",\"learning_rate\":", Number(c.learning_rate), ",\"seed\":", c.seed, ",\"limit\":", c.limit,
      ",\"machine\":", MachineJson(r.machine), ",\"finished_at\":",
      Quote(absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())),
      ",\"final_test_accuracy\":", Number(final_accuracy), ",\"train_seconds\":", Number(seconds),
      ",\"seconds_per_epoch\":", Number(r.epochs.empty() ? 0 : seconds / r.epochs.size()),
      ",\"gflops\":", Number(gflops), ",\"per_epoch\":[", absl::StrJoin(epochs, ","), "]}");
}

}  // namespace common
