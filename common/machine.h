#ifndef COMMON_MACHINE_H_
#define COMMON_MACHINE_H_

#include <string>

namespace common {

// The machine a figure was measured on. Figures from different machines do not compare: every
// record and table carries this.
struct Machine {
  std::string cpu;  // the model name from /proc/cpuinfo, e.g. "AMD EPYC 9R14"
  // x86 family and model numbers, which name the microarchitecture where the model name does
  // not (a VM's "AMD EPYC" is family 25 model 1 on Zen 3, model 17 on Zen 4); -1 if unknown.
  int cpu_family = -1;
  int cpu_model = -1;
  std::string simd;      // the widest SIMD this CPU and OS run: "avx512", "avx2", "sse2", "neon"
  int cores = 0;         // hardware threads available to this process
  std::string compiler;  // e.g. "gcc 12.2.0"
  std::string compiled_for;  // the widest SIMD the compiler was allowed for this binary
};

Machine ThisMachine();

// "AMD EPYC (family 25 model 1), avx2, 2 cores; gcc 12.2.0, built for x86-64 (sse2)"
std::string MachineLine(const Machine& machine);

// OpenBLAS chooses its kernels when it loads, from a table of the CPUs it knows, and falls back
// to old ones for a CPU newer than itself: Debian's 0.3.21 gives Intel's Emerald Rapids (family 6
// model 207) its SSE3 "Prescott" kernels, 4-5x slower there than its AVX-512 ones. Given the
// kernels it chose (openblas_get_corename()) and this CPU's `simd`, returns "" when they suit the
// CPU, else a note that says what to set (OPENBLAS_CORETYPE, read when the library loads).
std::string OpenBlasCoreNote(const std::string& core, const std::string& simd);

// Keeps the calling thread on one CPU (Linux), so that a measurement between two threads is
// between the two CPUs named. False if the OS refused (or elsewhere than Linux).
bool PinThisThreadTo(int cpu);

}  // namespace common

#endif  // COMMON_MACHINE_H_
