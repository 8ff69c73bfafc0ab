// libFuzzer target for the IDX/gzip loader: built and run by tools/fuzz_loader.sh with clang (the
// Bazel toolchain is GCC, which has no libFuzzer). The contract it checks is fuzz::CheckLoaders
// (testing/idx_fuzz.h); //testing:idx_fuzz_test replays the seeds and every finding with GCC.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "testing/idx_fuzz.h"

// IDX_FUZZ_WRITE_SEEDS=DIR: write the seed inputs into DIR and exit, instead of fuzzing.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("IDX_FUZZ_WRITE_SEEDS");
  if (dir == nullptr) return 0;
  int written = 0;
  for (const auto& [name, bytes] : fuzz::SeedInputs()) {
    std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    written += out.good() ? 1 : 0;
  }
  std::printf("%d seeds written to %s\n", written, dir);
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::CheckLoaders(data, size);
  return 0;
}
