#include "testing/benchmarks.h"

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/machine.h"
#include "common/model.h"
#include "common/rng.h"

namespace benchmarks {
namespace {

std::unique_ptr<common::Network> MakeOrDie(common::NetworkFactory factory,
                                           const common::NetworkOptions& options) {
  absl::StatusOr<std::unique_ptr<common::Network>> network = factory(options);
  if (!network.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(network.status().message()).c_str());
    std::exit(1);
  }
  return std::move(*network);
}

void TrainStep(benchmark::State& state, common::NetworkFactory factory,
               common::NetworkOptions options) {
  const int batch = static_cast<int>(state.range(0));
  std::unique_ptr<common::Network> network = MakeOrDie(factory, options);
  network->SetParameters(common::InitParameters(options.sizes, 1));
  common::Rng rng(2);
  std::vector<float> inputs(static_cast<size_t>(batch) * common::kImagePixels);
  for (float& x : inputs) x = static_cast<float>(rng.Uniform());
  std::vector<uint8_t> labels(batch);
  for (uint8_t& label : labels) label = static_cast<uint8_t>(rng.Below(common::kClasses));
  std::vector<float> logits(static_cast<size_t>(batch) * common::kClasses);
  for (auto _ : state) {
    // A tiny learning rate, so the weights stay put across iterations.
    benchmark::DoNotOptimize(
        network->TrainStep(inputs.data(), labels.data(), batch, logits.data(), 1e-6f));
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(common::TrainingFlopsPerSample(options.sizes) * batch / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * batch);
}

void Forward(benchmark::State& state, common::NetworkFactory factory,
             common::NetworkOptions options) {
  const int batch = static_cast<int>(state.range(0));
  std::unique_ptr<common::Network> network = MakeOrDie(factory, options);
  network->SetParameters(common::InitParameters(options.sizes, 1));
  std::vector<float> inputs(static_cast<size_t>(batch) * common::kImagePixels, 0.5f);
  std::vector<float> logits(static_cast<size_t>(batch) * common::kClasses);
  for (auto _ : state) {
    network->Forward(inputs.data(), batch, logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(common::ForwardFlopsPerSample(options.sizes) * batch / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * batch);
}

void GemmBenchmark(benchmark::State& state, const Gemm& gemm, const GemmShape& s) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n);
  std::vector<float> c(static_cast<size_t>(s.m) * s.n);
  for (float& x : a) x = uniform(rng);
  for (float& x : b) x = uniform(rng);
  const int lda = s.transpose_a ? s.m : s.k, ldb = s.transpose_b ? s.k : s.n;
  const auto op = [](bool t) { return t ? common::Transpose::kYes : common::Transpose::kNo; };
  for (auto _ : state) {
    gemm(op(s.transpose_a), op(s.transpose_b), s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 0.0f,
         c.data(), s.n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  // Flops per iteration in units of 1e9, as a rate: the column reads directly in GFLOP/s.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * s.m * s.n * s.k, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void RegisterNetwork(common::NetworkFactory factory, const std::string& gemm, int threads) {
  const common::NetworkOptions options{common::LayerSizes({128}), gemm, threads};
  const std::string suffix = gemm + (threads > 0 ? "/" + std::to_string(threads) + "t" : "");
  // Real time: with threads, CPU time of the calling thread alone would flatter the figure.
  benchmark::RegisterBenchmark(("TrainStep/" + suffix).c_str(), TrainStep, factory, options)
      ->Arg(64)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("Forward/" + suffix).c_str(), Forward, factory, options)
      ->Arg(64)
      ->Arg(500)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
}

void RegisterGemm(const std::string& name, Gemm gemm) {
  for (const GemmShape& s : kGemmShapes) {
    const std::string shape = std::string(s.transpose_a ? "T" : "N") + (s.transpose_b ? "T" : "N") +
                              "/" + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                              std::to_string(s.k);
    benchmark::RegisterBenchmark(("Gemm/" + name + "/" + shape).c_str(), GemmBenchmark, gemm, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

bool InitializeInterleaved(int argc, char** argv) {
  // Defaults first, so that the same flags on the command line override them.
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  static char aggregates[] = "--benchmark_display_aggregates_only=true";
  std::vector<char*> args = {argv[0], interleave, aggregates};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return false;
  std::printf("machine: %s\n", common::MachineLine(common::ThisMachine()).c_str());
  return true;
}

namespace {

// What both ways of running end with, once the library is initialized.
int RunSelected() {
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace

int RunBenchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  return RunSelected();
}

int RunInterleaved(int argc, char** argv) {
  if (!InitializeInterleaved(argc, argv)) return 1;
  return RunSelected();
}

}  // namespace benchmarks
