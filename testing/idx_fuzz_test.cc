// The fuzz target's contract (fuzz::CheckLoaders) on its seeds and on every input the fuzzer
// ever found (testing/fuzz_regressions/). CheckLoaders aborts on a broken promise, so a
// regression fails this test by crashing it; the sanitizers catch the rest under
// --config=asan.
#include "testing/idx_fuzz.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/idx.h"
#include "gtest/gtest.h"

namespace {

using Bytes = std::vector<uint8_t>;

// The valid seeds; every other seed is malformed and must be refused by both loaders.
const std::set<std::string> kValid = {
    "mnist_2_images",      "mnist_2_images.gz",    "mnist_10_labels",
    "mnist_10_labels.gz",  "fashion_2_images",     "fashion_2_images.gz",
    "fashion_10_labels",   "fashion_10_labels.gz", "mnist_60000_labels.gz",
    "synthetic_images",    "synthetic_images.gz",  "synthetic_labels",
    "synthetic_labels.gz", "gzip_two_members",     "gzip_empty_member_after"};

std::string WriteTemp(const Bytes& bytes) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/seed";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(IdxFuzzSeeds, RealSlicesAndEveryMalformedKind) {
  const auto seeds = fuzz::SeedInputs();
  std::set<std::string> names;
  for (const auto& [name, bytes] : seeds) names.insert(name);
  for (const std::string& valid : kValid) EXPECT_EQ(names.count(valid), 1u) << valid;
  EXPECT_GE(seeds.size(), 50u);
}

TEST(IdxFuzzSeeds, ValidOnesLoadMalformedOnesAreRefused) {
  for (const auto& [name, bytes] : fuzz::SeedInputs()) {
    SCOPED_TRACE(name);
    const std::string path = WriteTemp(bytes);
    const bool images = common::LoadIdxImages(path).ok();
    const bool labels = common::LoadIdxLabels(path).ok();
    if (kValid.count(name) != 0) {
      EXPECT_TRUE(images || labels);
    } else {
      EXPECT_FALSE(images);
      EXPECT_FALSE(labels);
    }
  }
}

TEST(IdxFuzzSeeds, KeepTheContract) {
  for (const auto& [name, bytes] : fuzz::SeedInputs()) {
    SCOPED_TRACE(name);
    fuzz::CheckLoaders(bytes.data(), bytes.size());
  }
}

TEST(IdxFuzzRegressions, KeepTheContract) {
  const std::string dir =
      std::string(std::getenv("TEST_SRCDIR")) + "/mnist_perf/testing/fuzz_regressions";
  DIR* listing = opendir(dir.c_str());
  ASSERT_NE(listing, nullptr) << dir;
  int replayed = 0;
  bool readme = false;
  while (const dirent* entry = readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (name == "README.md") {
      readme = true;
      continue;
    }
    SCOPED_TRACE(name);
    std::ifstream in(dir + "/" + name, std::ios::binary);
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fuzz::CheckLoaders(bytes.data(), bytes.size());
    ++replayed;
  }
  closedir(listing);
  EXPECT_TRUE(readme) << "the findings folder is not in the test's data";
  std::printf("replayed %d findings\n", replayed);
}

}  // namespace
