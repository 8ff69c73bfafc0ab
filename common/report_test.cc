// The record every trainer writes and tools/compare reads, and the lines people read.
#include "common/report.h"

#include <string>

#include "common/machine.h"
#include "gtest/gtest.h"

namespace common {
namespace {

RunRecord SampleRecord() {
  RunRecord r;
  r.stage = "stage4_blas";
  r.engine = {"openblas", 2, "OpenBLAS \"Zen\"\n"};
  r.config.epochs = 2;
  r.config.limit = 1000;
  r.dataset = "mnist";
  r.data_dir = "/data";
  r.train_samples = 1000;
  r.test_samples = 500;
  r.layer_sizes = {784, 128, 10};
  EpochStats e;
  e.epoch = 1;
  e.seconds = 0.5;
  e.test_accuracy = 0.9;
  r.epochs = {e, e};
  r.epochs[1].epoch = 2;
  r.epochs[1].seconds = 1.5;
  r.epochs[1].test_accuracy = 0.925;
  r.machine = {"Test CPU", 25, 1, "avx2", 2, "gcc 12.2.0", "x86-64 (sse2)"};
  return r;
}

TEST(ToJson, CarriesEveryFieldOfVersion2) {
  const std::string json = ToJson(SampleRecord());
  for (const char* field :
       {"{\"schema\":\"mnist_perf.run/2\",\"stage\":\"stage4_blas\",\"gemm\":\"openblas\","
        "\"threads\":2,",
        "\"details\":\"OpenBLAS \\\"Zen\\\"\\u000a\"", "\"dataset\":\"mnist\"",
        "\"train_samples\":1000,\"test_samples\":500,\"layers\":[784,128,10],\"epochs\":2,",
        "\"limit\":1000,",
        "\"machine\":{\"cpu\":\"Test CPU\",\"cpu_family\":25,\"cpu_model\":1,\"simd\":\"avx2\","
        "\"cores\":2,\"compiler\":\"gcc 12.2.0\",\"compiled_for\":\"x86-64 (sse2)\"}",
        "\"final_test_accuracy\":0.925,", "\"train_seconds\":2,", "\"seconds_per_epoch\":1,",
        "\"per_epoch\":[{\"epoch\":1,"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << "\nnot in\n" << json;
  }
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one line";
}

TEST(ToJson, GflopsCountAllEpochs) {
  // 2 epochs x 1000 samples x 409,088 flops (784-128-10) in 2 s = 0.409088 GFLOP/s.
  EXPECT_NE(ToJson(SampleRecord()).find("\"gflops\":0.409088,\"per_epoch\""), std::string::npos);
}

TEST(EngineLine, SaysWhatComputed) {
  EXPECT_EQ(EngineLine({"own", 1, ""}), "gemm own, 1 thread");
  EXPECT_EQ(EngineLine({"eigen", 2, "Eigen 3.4.0"}), "gemm eigen, 2 threads, Eigen 3.4.0");
}

TEST(MachineLine, NamesCpuFamilyAndSimd) {
  EXPECT_EQ(MachineLine({"AMD EPYC", 25, 1, "avx2", 2, "gcc 12.2.0", "x86-64 (sse2)"}),
            "AMD EPYC (family 25 model 1), avx2, 2 cores; gcc 12.2.0, built for x86-64 (sse2)");
}

TEST(ThisMachine, KnowsTheBasics) {
  const Machine m = ThisMachine();
  EXPECT_FALSE(m.cpu.empty());
  EXPECT_GE(m.cores, 1);
  EXPECT_FALSE(m.simd.empty());
#if defined(__linux__) && defined(__x86_64__)
  EXPECT_GT(m.cpu_family, 0);
#endif
}

}  // namespace
}  // namespace common
