#include "common/machine.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace common {
namespace {

// The first value of `key` in /proc/cpuinfo (Linux); empty elsewhere.
std::string CpuInfo(const std::string& key) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name != key) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    return value == std::string::npos ? "" : line.substr(value);
  }
  return "";
}

int CpuInfoNumber(const std::string& key) {
  int value = -1;
  return absl::SimpleAtoi(CpuInfo(key), &value) ? value : -1;
}

std::string RuntimeSimd() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // Also checks that the OS saves the wide registers (XGETBV).
  if (__builtin_cpu_supports("avx512f")) return "avx512";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
  return "sse2";
#elif defined(__aarch64__)
  return "neon";
#else
  return "none";
#endif
}

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

std::string Compiler() {
#if defined(__clang__)
  return absl::StrCat("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return absl::StrCat("gcc ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

}  // namespace

Machine ThisMachine() {
  Machine m;
  m.cpu = CpuInfo("model name");
  if (m.cpu.empty()) m.cpu = "unknown CPU";
  m.cpu_family = CpuInfoNumber("cpu family");
  m.cpu_model = CpuInfoNumber("model");
  m.simd = RuntimeSimd();
  m.cores = static_cast<int>(std::thread::hardware_concurrency());
  m.compiler = Compiler();
  m.compiled_for = CompiledFor();
  return m;
}

std::string MachineLine(const Machine& m) {
  std::string line = m.cpu;
  if (m.cpu_family >= 0)
    absl::StrAppend(&line, " (family ", m.cpu_family, " model ", m.cpu_model, ")");
  absl::StrAppend(&line, ", ", m.simd, ", ", m.cores, m.cores == 1 ? " core" : " cores", "; ",
                  m.compiler, ", built for ", m.compiled_for);
  return line;
}

std::string OpenBlasCoreNote(const std::string& core, const std::string& simd) {
  // OpenBLAS's x86-64 kernels that use neither AVX2 nor AVX-512.
  static const char* const kOld[] = {"Katmai",     "Coppermine", "Northwood",   "Prescott",
                                     "Banias",     "Atom",       "Core2",       "Penryn",
                                     "Dunnington", "Nehalem",    "Opteron",     "Opteron(SSE3)",
                                     "Barcelona",  "Nano",       "Sandybridge", "Bobcat"};
  if (simd != "avx2" && simd != "avx512") return "";
  bool old = false;
  for (const char* name : kOld) old = old || core == name;
  if (!old) return "";
  return absl::StrCat("OpenBLAS does not know this CPU and chose its ", core,
                      " kernels; OPENBLAS_CORETYPE=", simd == "avx512" ? "SkylakeX" : "Haswell",
                      " gives it its ", simd == "avx512" ? "AVX-512" : "AVX2", " ones");
}

bool PinThisThreadTo(int cpu) {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
#else
  (void)cpu;
  return false;
#endif
}

}  // namespace common
