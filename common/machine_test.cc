#include "common/machine.h"

#include <sched.h>

#include <string>

#include "gtest/gtest.h"

namespace {

TEST(MachineTest, LineNamesTheCpuItsSimdAndTheBuild) {
  common::Machine m;
  m.cpu = "AMD EPYC";
  m.cpu_family = 25;
  m.cpu_model = 1;
  m.simd = "avx2";
  m.cores = 2;
  m.compiler = "gcc 12.2.0";
  m.compiled_for = "x86-64 (sse2)";
  EXPECT_EQ(common::MachineLine(m),
            "AMD EPYC (family 25 model 1), avx2, 2 cores; gcc 12.2.0, built for x86-64 (sse2)");
}

// What Debian's OpenBLAS 0.3.21 did on an Emerald Rapids: SSE3 kernels on an AVX-512 CPU.
TEST(MachineTest, OpenBlasFallbackKernelsGetANoteThatSaysWhatToSet) {
  EXPECT_EQ(common::OpenBlasCoreNote("Prescott", "avx512"),
            "OpenBLAS does not know this CPU and chose its Prescott kernels; "
            "OPENBLAS_CORETYPE=SkylakeX gives it its AVX-512 ones");
  EXPECT_NE(common::OpenBlasCoreNote("Sandybridge", "avx2").find("OPENBLAS_CORETYPE=Haswell"),
            std::string::npos);
}

TEST(MachineTest, OpenBlasKernelsThatSuitTheCpuGetNoNote) {
  EXPECT_EQ(common::OpenBlasCoreNote("Zen", "avx2"), "");
  EXPECT_EQ(common::OpenBlasCoreNote("Haswell", "avx2"), "");
  EXPECT_EQ(common::OpenBlasCoreNote("SkylakeX", "avx512"), "");
  EXPECT_EQ(common::OpenBlasCoreNote("Cooperlake", "avx512"), "");
  EXPECT_EQ(common::OpenBlasCoreNote("Zen", "avx512"), "");  // Zen 4 on 0.3.21: its AVX2 kernels
  // Old kernels are all an old CPU (or an ARM one) can run.
  EXPECT_EQ(common::OpenBlasCoreNote("Prescott", "sse2"), "");
  EXPECT_EQ(common::OpenBlasCoreNote("NEOVERSEN1", "neon"), "");
}

#if defined(__linux__)
TEST(MachineTest, PinnedThreadRunsOnTheCpuNamedAndAnImpossibleCpuIsRefused) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  int last = -1;  // the last CPU this process may use, so not always CPU 0
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) last = cpu;
  }
  ASSERT_GE(last, 0);
  ASSERT_TRUE(common::PinThisThreadTo(last));
  EXPECT_EQ(sched_getcpu(), last);
  EXPECT_FALSE(common::PinThisThreadTo(CPU_SETSIZE - 1));  // no machine here has 1024 CPUs
}
#endif

}  // namespace
