// core_latency: how long one cache line takes to travel from one core to another, the cost that
// every piece of data two threads share pays each time it changes hands (a barrier, a batch one
// thread writes and the other reads, partial sums).
//
// Two threads, pinned to --cpus=A,B, hand a counter back and forth through one cache line: A
// writes an odd value and waits for B to write the next even one. One hand-off is half a round
// trip. The figure is the median of --samples runs of --handoffs round trips each.
//
// Why a tool: on a VM the host decides where its virtual CPUs run. On the 2-core Zen 3 VM of
// this project's tables, the same two CPUs measured 60-65 ns apart at one moment and 200-240 ns
// a few seconds later (our reading: cores sharing an L3, then cores on different dies, the line
// crossing the package), which is why two-thread figures there come in two kinds. tools/compare
// records it before and after every round.
//
// Usage: core_latency [--cpus=0,1] [--samples=5] [--handoffs=20000]

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/machine.h"

ABSL_FLAG(std::string, cpus, "0,1", "the two CPUs (as numbered by Linux) to measure between");
ABSL_FLAG(int32_t, samples, 5, "runs; the median is the figure");
ABSL_FLAG(int32_t, handoffs, 20000, "round trips per run");

namespace {

// The line the two threads hand back and forth, alone on its 64 bytes.
struct alignas(64) Line {
  std::atomic<int64_t> value{0};
};

// Nanoseconds per one-way hand-off between `a` and `b`, or a negative number if a thread cannot
// run on its CPU. Timing starts once both threads run on their CPUs and have passed the line
// back and forth a few times (a new thread takes a while to start and move to its CPU).
double HandoffNanoseconds(int a, int b, int round_trips) {
  constexpr int64_t kWarmUp = 100;
  // On the heap: operator new honours the 64-byte alignment, a sanitizer's stack may not.
  const std::unique_ptr<Line> shared = std::make_unique<Line>();
  Line& line = *shared;
  std::atomic<int> pinned_b{0};  // 1: running on b, -1: cannot
  std::atomic<bool> stop{false};
  std::thread other([&] {
    pinned_b = common::PinThisThreadTo(b) ? 1 : -1;
    for (int64_t i = 0; pinned_b > 0 && i < kWarmUp + round_trips; ++i) {
      while (line.value.load(std::memory_order_acquire) != 2 * i + 1) {
        if (stop) return;
      }
      line.value.store(2 * i + 2, std::memory_order_release);
    }
  });
  const bool pinned_a = common::PinThisThreadTo(a);
  while (pinned_b == 0) {
  }
  if (!pinned_a || pinned_b < 0) {
    stop = true;
    other.join();
    return -1;
  }
  auto hand_off = [&](int64_t i) {
    line.value.store(2 * i + 1, std::memory_order_release);
    while (line.value.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  };
  for (int64_t i = 0; i < kWarmUp; ++i) hand_off(i);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = kWarmUp; i < kWarmUp + round_trips; ++i) hand_off(i);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  other.join();
  return seconds * 1e9 / (2.0 * round_trips);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures how long a cache line takes from one core to another.\nUsage: core_latency "
      "[--cpus=A,B] [--samples=N] [--handoffs=N]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return 1;
  };
  if (rest.size() > 1) {
    return fail(absl::StrCat("unexpected argument '", rest[1], "': options are --flag=value"));
  }
  const std::string cpus_flag = absl::GetFlag(FLAGS_cpus);
  const std::vector<std::string> parts = absl::StrSplit(cpus_flag, ',');
  int cpus[2];
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &cpus[0]) ||
      !absl::SimpleAtoi(parts[1], &cpus[1]) || cpus[0] < 0 || cpus[1] < 0 || cpus[0] == cpus[1]) {
    return fail(absl::StrCat("--cpus=", cpus_flag, ": give two different CPUs, such as 0,1"));
  }
  const int samples = absl::GetFlag(FLAGS_samples), handoffs = absl::GetFlag(FLAGS_handoffs);
  if (samples < 1) return fail(absl::StrCat("--samples=", samples, ": must be 1 or more"));
  if (handoffs < 1) return fail(absl::StrCat("--handoffs=", handoffs, ": must be 1 or more"));
  // The CPUs this process may run on (a container's cpuset may hold fewer than the machine).
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  sched_getaffinity(0, sizeof allowed, &allowed);
  for (int cpu : cpus) {
    if (cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed)) continue;
    // Nothing to measure: say so in the record rather than fail a comparison.
    std::printf("core-to-core latency: CPU %d is not one this process may run on (%d are)\n", cpu,
                CPU_COUNT(&allowed));
    std::printf("{\"core_to_core_ns\":null,\"cpus\":[%d,%d]}\n", cpus[0], cpus[1]);
    return 0;
  }
  std::vector<double> measured;
  for (int s = 0; s < samples; ++s) {
    const double ns = HandoffNanoseconds(cpus[0], cpus[1], handoffs);
    if (ns < 0) return fail(absl::StrCat("cannot run threads on CPUs ", cpus_flag));
    measured.push_back(ns);
  }
  std::vector<double> sorted = measured;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::printf("core-to-core latency, CPU %d <-> CPU %d: %.0f ns one way (median of %d: %s)\n",
              cpus[0], cpus[1], median, samples,
              absl::StrJoin(measured, ", ", [](std::string* out, double ns) {
                absl::StrAppend(out, static_cast<int>(ns + 0.5));
              }).c_str());
  std::printf("{\"core_to_core_ns\":%.1f,\"cpus\":[%d,%d]}\n", median, cpus[0], cpus[1]);
  return 0;
}
