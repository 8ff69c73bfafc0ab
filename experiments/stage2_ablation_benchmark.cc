// Which of stage 2's four changes paid: one training step (forward, backward, SGD update of a
// 64-sample batch, 784-128-10) for every variant of experiments/ablation/variants.h, between
// stage 1 and stage 2 themselves. At the end, from the medians of this one run: the two paths
// from stage 1 to stage 2 with the speedup of each step, and each change's speedup in every
// context where it can be made.
//
//   bazel run [--config=native] //experiments:stage2_ablation_benchmark --
//     --benchmark_repetitions=5
//
// Repetitions run interleaved in random order (--benchmark_enable_random_interleaving is on by
// default here), so a slow spell of a shared machine spreads over all variants. Times are CPU
// time of the one thread: on a shared machine wall time also counts the time other processes
// had the core.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "common/model.h"
#include "common/network.h"
#include "common/rng.h"
#include "experiments/ablation/variants.h"
#include "stage1_naive/network.h"
#include "stage2_float/network.h"
#include "testing/benchmarks.h"

namespace {

constexpr int kBatch = 64;

void TrainStep(benchmark::State& state, common::NetworkFactory factory) {
  const std::vector<int> sizes = common::LayerSizes({128});
  absl::StatusOr<std::unique_ptr<common::Network>> network = factory({sizes, "", 0});
  if (!network.ok()) {
    state.SkipWithError(std::string(network.status().message()).c_str());
    return;
  }
  (*network)->SetParameters(common::InitParameters(sizes, 1));
  common::Rng rng(2);
  std::vector<float> inputs(static_cast<size_t>(kBatch) * common::kImagePixels);
  for (float& x : inputs) x = static_cast<float>(rng.Uniform());
  std::vector<uint8_t> labels(kBatch);
  for (uint8_t& label : labels) label = static_cast<uint8_t>(rng.Below(common::kClasses));
  std::vector<float> logits(static_cast<size_t>(kBatch) * common::kClasses);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        (*network)->Backward(inputs.data(), labels.data(), kBatch, logits.data()));
    (*network)->ApplyGradients(1e-6f);  // tiny, so the weights stay put across iterations
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(common::TrainingFlopsPerSample(sizes) * kBatch / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate);
}

// Prints as the console does and keeps each benchmark's median (or single) time.
class MedianKeeper : public benchmark::ConsoleReporter {
 public:
  MedianKeeper() : ConsoleReporter(OO_None) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (single || median) medians_[run.run_name.function_name] = run.GetAdjustedCPUTime();
    }
  }
  const std::map<std::string, double>& medians() const { return medians_; }

 private:
  std::map<std::string, double> medians_;
};

void PrintChain(const char* title, const std::vector<std::string>& chain,
                const std::map<std::string, double>& ms) {
  for (const std::string& name : chain) {
    if (ms.count("Step/" + name) == 0) return;  // filtered out
  }
  std::printf("\n%s\n%-24s %9s %9s %9s\n", title, "variant", "ms/step", "vs prev", "vs first");
  const double first = ms.at("Step/" + chain.front());
  for (size_t i = 0; i < chain.size(); ++i) {
    const double t = ms.at("Step/" + chain[i]);
    const double previous = ms.at("Step/" + chain[i == 0 ? 0 : i - 1]);
    std::printf("%-24s %9.3f %8.2fx %8.2fx\n", chain[i].c_str(), t, previous / t, first / t);
  }
}

// Every pair of variants that differ in one setting only: that change's gain in each context.
void PrintEachChange(const std::map<std::string, double>& ms) {
  const char* const kChanges[4][2] = {
      {"double", "float"}, {"rows", "flat"}, {"sample", "batch"}, {"dot", "ikj"}};
  std::printf("\n%-18s %-24s %9s\n", "change", "in the context", "speedup");
  for (int setting = 0; setting < 4; ++setting) {
    for (const ablation::Variant& v : ablation::AllVariants()) {
      std::vector<std::string> parts = absl::StrSplit(v.name, '_');
      if (parts[setting] != kChanges[setting][0]) continue;
      const std::string before = v.name;
      parts[setting] = kChanges[setting][1];
      const std::string after = absl::StrJoin(parts, "_");
      if (ms.count("Step/" + before) == 0 || ms.count("Step/" + after) == 0) continue;
      parts.erase(parts.begin() + setting);
      const std::string change = std::string(kChanges[setting][0]) + " -> " + kChanges[setting][1];
      std::printf("%-18s %-24s %8.2fx\n", change.c_str(), absl::StrJoin(parts, "_").c_str(),
                  ms.at("Step/" + before) / ms.at("Step/" + after));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (!benchmarks::InitializeInterleaved(argc, argv)) return 1;

  // The stages themselves, to check that their template copies time the same.
  auto step = [](const std::string& name, common::NetworkFactory factory) {
    benchmark::RegisterBenchmark(("Step/" + name).c_str(), TrainStep, factory)
        ->Unit(benchmark::kMillisecond);
  };
  step("stage1", stage1::MakeNetwork);
  for (const ablation::Variant& v : ablation::AllVariants()) step(v.name, v.factory);
  step("stage2", stage2::MakeNetwork);

  MedianKeeper reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  PrintChain("float first (medians, this run):", ablation::kFloatFirst, reporter.medians());
  PrintChain("loop order first (medians, this run):", ablation::kLoopsFirst, reporter.medians());
  PrintEachChange(reporter.medians());
  return 0;
}
