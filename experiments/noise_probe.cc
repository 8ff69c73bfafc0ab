// bazel run //experiments:noise_probe -- --rounds=20
//
// What moves on a shared machine: a core's arithmetic, or its loads? Each round spends 50 ms
// reading a buffer that fits in L2 (256 KiB by default) over and over, then 50 ms on
// multiply-adds in registers, and prints both rates. On the Zen 3 VM of this project the
// arithmetic stayed within about 10 % while the reads (from L2, and from L1 with --kib=16)
// moved by a third within seconds; the epoch's time followed the reads more than the
// arithmetic (experiments/README.md, "Measuring on a shared machine").
//
// Plain vector code (GCC's vector extensions), so that it builds and runs for the baseline of
// any architecture: the rates are below the core's peak, and only their spread matters here.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/machine.h"

ABSL_FLAG(int, rounds, 20, "rounds of one read phase and one arithmetic phase (>= 1)");
ABSL_FLAG(int, kib, 256, "size of the buffer read, KiB (1 to 1 GiB): pick one that fits your L2");

namespace {

using Clock = std::chrono::steady_clock;
typedef float Vec __attribute__((vector_size(16)));  // 4 floats: one SSE2 or NEON register
constexpr double kPhaseSeconds = 0.05;
volatile float g_sink;  // where the results go, so that the compiler cannot drop the loops

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// GB/s of reading `buffer` from start to end, over and over, for one phase.
double ReadRate(const std::vector<Vec>& buffer) {
  Vec sum[8] = {};  // independent sums, so that the adds keep up with the loads
  double bytes = 0;
  const Clock::time_point start = Clock::now();
  do {
    for (size_t i = 0; i + 8 <= buffer.size(); i += 8) {
      for (int j = 0; j < 8; ++j) sum[j] += buffer[i + j];
    }
    bytes += static_cast<double>(buffer.size()) * sizeof(Vec);
  } while (SecondsSince(start) < kPhaseSeconds);
  const double seconds = SecondsSince(start);
  for (const Vec& v : sum) g_sink = v[0];
  return bytes / seconds / 1e9;
}

// GFLOP/s of independent multiply-adds on 8 vectors held in registers, for one phase: enough
// independent chains to keep the adders and multipliers busy.
double ArithmeticRate() {
  Vec acc[8];
  for (Vec& a : acc) a = Vec{} + 1.0f;
  const Vec scale = Vec{} + 0.999999f, shift = Vec{} + 1e-7f;
  double flops = 0;
  const Clock::time_point start = Clock::now();
  do {
    for (int i = 0; i < 1000; ++i) {
      for (Vec& a : acc) a = a * scale + shift;
    }
    flops += 1000.0 * 8 * 4 * 2;
  } while (SecondsSince(start) < kPhaseSeconds);
  const double seconds = SecondsSince(start);
  for (const Vec& a : acc) g_sink = a[0];
  return flops / seconds / 1e9;
}

std::string Spread(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return absl::StrFormat("%.1f–%.1f (median %.1f)", values.front(), values.back(),
                         values[values.size() / 2]);
}

std::string JsonList(const std::vector<double>& values) {
  return absl::StrJoin(values, ",",
                       [](std::string* out, double v) { absl::StrAppendFormat(out, "%.1f", v); });
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  const int rounds = absl::GetFlag(FLAGS_rounds), kib = absl::GetFlag(FLAGS_kib);
  std::string error;
  if (rest.size() > 1) {
    error = absl::StrCat("unexpected argument '", rest[1], "': options are --flag=value");
  } else if (rounds < 1) {
    error = absl::StrCat("--rounds=", rounds, ": must be 1 or more");
  } else if (kib < 1 || kib > (1 << 20)) {
    error = absl::StrCat("--kib=", kib, ": must be 1 to 1048576 (1 GiB)");
  }
  if (!error.empty()) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s\n", common::MachineLine(common::ThisMachine()).c_str());
  std::vector<Vec> buffer(static_cast<size_t>(kib) * 1024 / sizeof(Vec), Vec{} + 1.0f);
  std::vector<double> reads, arithmetic;
  for (int r = 0; r < rounds; ++r) {
    reads.push_back(ReadRate(buffer));
    arithmetic.push_back(ArithmeticRate());
    std::printf("round %2d: reading %d KiB %6.1f GB/s, multiply-adds in registers %6.1f GFLOP/s\n",
                r + 1, kib, reads.back(), arithmetic.back());
  }
  std::printf("reads %s GB/s; multiply-adds %s GFLOP/s\n", Spread(reads).c_str(),
              Spread(arithmetic).c_str());
  std::printf("{\"read_gb_per_s\":[%s],\"arithmetic_gflops\":[%s],\"kib\":%d}\n",
              JsonList(reads).c_str(), JsonList(arithmetic).c_str(), kib);
  return 0;
}
