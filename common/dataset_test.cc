// LoadSplit / LoadDataset / PeekDataset on hand-made directories, the official MNIST that
// ./setup.sh installs, the real Fashion-MNIST that Debian's dataset-fashion-mnist installs, and
// Truncate.
#include "common/dataset.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

using Bytes = std::vector<uint8_t>;

// A fresh directory under TEST_TMPDIR.
std::string MakeDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
  mkdir(dir.c_str(), 0755);
  struct stat st;
  EXPECT_EQ(stat(dir.c_str(), &st), 0) << dir;
  return dir;
}

void AppendBigEndian(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes ImagesIdx(const Bytes& pixels) {
  Bytes out = {0, 0, 8, 3};
  AppendBigEndian(out, static_cast<uint32_t>(pixels.size() / kImagePixels));
  AppendBigEndian(out, 28);
  AppendBigEndian(out, 28);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes LabelsIdx(const Bytes& labels) {
  Bytes out = {0, 0, 8, 1};
  AppendBigEndian(out, static_cast<uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

void WriteFile(const std::string& path, const Bytes& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(f), Z_OK);
  } else {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.close();
    ASSERT_TRUE(out) << path;
  }
}

// `count` samples: sample s has every pixel equal to 10 * s + 1 and label s % 10.
Bytes Pixels(int count) {
  Bytes pixels;
  for (int s = 0; s < count; ++s)
    pixels.insert(pixels.end(), kImagePixels, static_cast<uint8_t>(10 * s + 1));
  return pixels;
}

Bytes Labels(int count) {
  Bytes labels;
  for (int s = 0; s < count; ++s) labels.push_back(static_cast<uint8_t>(s % 10));
  return labels;
}

void WriteSplit(const std::string& dir, const std::string& prefix, int images, int labels,
                bool gzip) {
  const std::string suffix = gzip ? ".gz" : "";
  WriteFile(dir + "/" + prefix + "-images-idx3-ubyte" + suffix, ImagesIdx(Pixels(images)), gzip);
  WriteFile(dir + "/" + prefix + "-labels-idx1-ubyte" + suffix, LabelsIdx(Labels(labels)), gzip);
}

void ExpectSplit(const Split& split, int count) {
  EXPECT_EQ(split.count, count);
  ASSERT_EQ(split.pixels.size(), static_cast<size_t>(count) * kImagePixels);
  EXPECT_THAT(split.labels, ElementsAreArray(Labels(count)));
  for (int s = 0; s < count; ++s) {
    EXPECT_EQ(split.pixels[static_cast<size_t>(s) * kImagePixels], 10 * s + 1);
    EXPECT_EQ(split.pixels[static_cast<size_t>(s + 1) * kImagePixels - 1], 10 * s + 1);
  }
}

void ExpectOneLine(const absl::Status& status) {
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\n")));
}

TEST(LoadSplit, PlainFiles) {
  const std::string dir = MakeDir("plain");
  WriteSplit(dir, "train", 5, 5, /*gzip=*/false);
  absl::StatusOr<Split> split = LoadSplit(dir, "train");
  ASSERT_TRUE(split.ok()) << split.status();
  ExpectSplit(*split, 5);
}

TEST(LoadSplit, GzippedFiles) {
  const std::string dir = MakeDir("gzipped");
  WriteSplit(dir, "t10k", 3, 3, /*gzip=*/true);
  absl::StatusOr<Split> split = LoadSplit(dir, "t10k");
  ASSERT_TRUE(split.ok()) << split.status();
  ExpectSplit(*split, 3);
}

TEST(LoadSplit, PrefixSelectsTheFiles) {
  const std::string dir = MakeDir("two_prefixes");
  WriteSplit(dir, "train", 7, 7, /*gzip=*/false);
  WriteSplit(dir, "t10k", 2, 2, /*gzip=*/true);
  absl::StatusOr<Split> train = LoadSplit(dir, "train");
  absl::StatusOr<Split> test = LoadSplit(dir, "t10k");
  ASSERT_TRUE(train.ok()) << train.status();
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(train->count, 7);
  EXPECT_EQ(test->count, 2);
}

TEST(LoadSplit, MismatchedCountsNameBothFiles) {
  const std::string dir = MakeDir("mismatch");
  WriteSplit(dir, "train", 3, 2, /*gzip=*/false);
  absl::StatusOr<Split> split = LoadSplit(dir, "train");
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(split.status().message());
  EXPECT_THAT(message, HasSubstr(dir + "/train-images-idx3-ubyte"));
  EXPECT_THAT(message, HasSubstr(dir + "/train-labels-idx1-ubyte"));
  EXPECT_THAT(message, HasSubstr("3 images"));
  EXPECT_THAT(message, HasSubstr("2 labels"));
  ExpectOneLine(split.status());
}

TEST(LoadSplit, MissingLabelsFile) {
  const std::string dir = MakeDir("no_labels");
  WriteFile(dir + "/train-images-idx3-ubyte", ImagesIdx(Pixels(2)), /*gzip=*/false);
  absl::StatusOr<Split> split = LoadSplit(dir, "train");
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), absl::StatusCode::kNotFound);
  const std::string message(split.status().message());
  EXPECT_THAT(message, HasSubstr("train-labels-idx1-ubyte[.gz]"));
  EXPECT_THAT(message, HasSubstr(dir));
  EXPECT_THAT(message, HasSubstr("--data_dir"));  // how to get it
  ExpectOneLine(split.status());
}

TEST(LoadSplit, MissingImagesFile) {
  const std::string dir = MakeDir("no_images");
  WriteFile(dir + "/t10k-labels-idx1-ubyte.gz", LabelsIdx(Labels(2)), /*gzip=*/true);
  absl::StatusOr<Split> split = LoadSplit(dir, "t10k");
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(split.status().message()), HasSubstr("t10k-images-idx3-ubyte[.gz]"));
}

TEST(LoadSplit, CorruptFileErrorPassesThrough) {
  const std::string dir = MakeDir("corrupt");
  WriteSplit(dir, "train", 2, 2, /*gzip=*/false);
  WriteFile(dir + "/train-labels-idx1-ubyte", LabelsIdx({1, 12}), /*gzip=*/false);
  absl::StatusOr<Split> split = LoadSplit(dir, "train");
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(split.status().message()), HasSubstr("label 12"));
}

TEST(LoadDataset, UnknownName) {
  absl::StatusOr<Dataset> data = LoadDataset("cifar", "");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("--dataset=cifar"));
  ExpectOneLine(data.status());
}

// With --data_dir the name is not used (as the flag's help says): the files decide.
TEST(LoadDataset, DataDirIgnoresName) {
  absl::StatusOr<Dataset> data = LoadDataset("cifar", MakeDir("unknown"));
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
}

TEST(LoadDataset, DataDirWithoutFiles) {
  const std::string dir = MakeDir("empty_data_dir");
  absl::StatusOr<Dataset> data = LoadDataset("mnist", dir);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  const std::string message(data.status().message());
  EXPECT_THAT(message, HasSubstr(dir));
  EXPECT_THAT(message, HasSubstr("train-images-idx3-ubyte[.gz]"));
  EXPECT_THAT(message, HasSubstr("--data_dir"));
  ExpectOneLine(data.status());
}

TEST(LoadDataset, DataDirWithoutTestSplit) {
  const std::string dir = MakeDir("train_only");
  WriteSplit(dir, "train", 2, 2, /*gzip=*/false);
  absl::StatusOr<Dataset> data = LoadDataset("fashion", dir);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("t10k-images-idx3-ubyte[.gz]"));
}

TEST(LoadDataset, CustomDataDir) {
  const std::string dir = MakeDir("custom");
  WriteSplit(dir, "train", 6, 6, /*gzip=*/true);
  WriteSplit(dir, "t10k", 4, 4, /*gzip=*/false);
  absl::StatusOr<Dataset> data = LoadDataset("fashion", dir);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->name, "custom");
  EXPECT_EQ(data->dir, dir);
  ExpectSplit(data->train, 6);
  ExpectSplit(data->test, 4);
}

TEST(LoadDataset, MissingMnistSaysHowToGetIt) {
  if (access(kMnistDir, F_OK) == 0) GTEST_SKIP() << kMnistDir << " exists on this machine";
  absl::StatusOr<Dataset> data = LoadDataset("mnist", "");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  const std::string message(data.status().message());
  EXPECT_THAT(message, HasSubstr(kMnistDir));
  EXPECT_THAT(message, HasSubstr("./setup.sh"));
  ExpectOneLine(data.status());
}

// What ./setup.sh installed: the official MNIST, 60,000 training and 10,000 test digits, with
// the class counts and first labels every MNIST user knows.
TEST(LoadDataset, MnistInstalledBySetup) {
  absl::StatusOr<Dataset> data = LoadDataset("mnist", "");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->name, "mnist");
  ASSERT_EQ(data->train.count, 60000);
  ASSERT_EQ(data->test.count, 10000);
  std::array<int, kClasses> train_per_class{}, test_per_class{};
  for (uint8_t label : data->train.labels) ++train_per_class[label];
  for (uint8_t label : data->test.labels) ++test_per_class[label];
  EXPECT_THAT(train_per_class,
              ElementsAreArray({5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  EXPECT_THAT(test_per_class,
              ElementsAreArray({980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  EXPECT_THAT(std::vector<uint8_t>(data->train.labels.begin(), data->train.labels.begin() + 10),
              ElementsAreArray({5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
  EXPECT_THAT(std::vector<uint8_t>(data->test.labels.begin(), data->test.labels.begin() + 10),
              ElementsAreArray({7, 2, 1, 0, 4, 1, 4, 9, 5, 9}));
  // The first digit, a 5: its 784 bytes sum to 27,525.
  int ink = 0;
  for (int p = 0; p < kImagePixels; ++p) ink += data->train.pixels[p];
  EXPECT_EQ(ink, 27525);
}

// --limit keeps the first samples only, the same ones a full load has first.
TEST(LoadDataset, TrainLimitKeepsTheFirstSamples) {
  absl::StatusOr<Dataset> data = LoadDataset("mnist", "", 100);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.count, 100);
  EXPECT_EQ(data->train.pixels.size(), 100u * kImagePixels);
  EXPECT_EQ(data->train.labels.size(), 100u);
  EXPECT_EQ(data->test.count, 10000);  // the test set is never cut
  EXPECT_THAT(std::vector<uint8_t>(data->train.labels.begin(), data->train.labels.begin() + 10),
              ElementsAreArray({5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
}

TEST(PeekDataset, CountsFromTheHeaders) {
  absl::StatusOr<DatasetShape> mnist = PeekDataset("mnist", "");
  ASSERT_TRUE(mnist.ok()) << mnist.status();
  EXPECT_EQ(mnist->train_count, 60000);
  EXPECT_EQ(mnist->test_count, 10000);
  EXPECT_EQ(mnist->dir, kMnistDir);

  const std::string dir = MakeDir("peek");
  WriteSplit(dir, "train", 7, 7, /*gzip=*/true);
  WriteSplit(dir, "t10k", 3, 3, /*gzip=*/false);
  absl::StatusOr<DatasetShape> custom = PeekDataset("mnist", dir);
  ASSERT_TRUE(custom.ok()) << custom.status();
  EXPECT_EQ(custom->name, "custom");
  EXPECT_EQ(custom->train_count, 7);
  EXPECT_EQ(custom->test_count, 3);

  WriteSplit(dir, "t10k", 3, 4, /*gzip=*/false);
  absl::StatusOr<DatasetShape> mismatch = PeekDataset("mnist", dir);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(std::string(mismatch.status().message()), HasSubstr("do not belong together"));
  EXPECT_FALSE(PeekDataset("cifar", "").ok());
}

TEST(LoadSplit, LimitChecksLabelsItDoesNotKeep) {
  const std::string dir = MakeDir("limit_labels");
  WriteSplit(dir, "train", 6, 6, /*gzip=*/false);
  WriteFile(dir + "/train-labels-idx1-ubyte", LabelsIdx({1, 2, 3, 4, 5, 12}), /*gzip=*/false);
  absl::StatusOr<Split> split = LoadSplit(dir, "train", 2);
  ASSERT_FALSE(split.ok());
  EXPECT_THAT(std::string(split.status().message()), HasSubstr("label 12 at index 5"));
}

// ---- Truncate ---------------------------------------------------------------------------------

Split MakeSplit(int count) {
  Split split;
  split.count = count;
  for (int s = 0; s < count; ++s) {
    split.pixels.insert(split.pixels.end(), kImagePixels, static_cast<uint8_t>(s));
    split.labels.push_back(static_cast<uint8_t>(s % 10));
  }
  return split;
}

TEST(Truncate, KeepsTheFirstSamples) {
  Split split = MakeSplit(5);
  Truncate(split, 2);
  EXPECT_EQ(split.count, 2);
  ASSERT_EQ(split.pixels.size(), 2u * kImagePixels);
  EXPECT_THAT(split.labels, ElementsAreArray({0, 1}));
  EXPECT_EQ(split.pixels[0], 0);
  EXPECT_EQ(split.pixels[kImagePixels], 1);
  EXPECT_EQ(split.pixels.back(), 1);
}

// ---- GatherPixels / CopyPixels ----------------------------------------------------------------

TEST(GatherPixels, ScalesBytesToZeroOne) {
  Split split = MakeSplit(3);
  split.pixels[2 * kImagePixels] = 255;
  split.pixels[2 * kImagePixels + 1] = 51;
  std::vector<float> out(2 * kImagePixels, -1.0f);
  const int samples[] = {2, 0};
  GatherPixels(split, samples, 2, out.data());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_FLOAT_EQ(out[1], 0.2f);
  EXPECT_FLOAT_EQ(out[2], 2 / 255.0f);
  EXPECT_EQ(out[kImagePixels], 0.0f);
  EXPECT_EQ(out.back(), 0.0f);
}

TEST(CopyPixels, TakesConsecutiveSamples) {
  const Split split = MakeSplit(4);
  std::vector<float> out(2 * kImagePixels, -1.0f);
  CopyPixels(split, 1, 2, out.data());
  EXPECT_FLOAT_EQ(out[0], 1 / 255.0f);
  EXPECT_FLOAT_EQ(out[kImagePixels - 1], 1 / 255.0f);
  EXPECT_FLOAT_EQ(out[kImagePixels], 2 / 255.0f);
  EXPECT_FLOAT_EQ(out.back(), 2 / 255.0f);
}

TEST(Truncate, LargerOrEqualCountChangesNothing) {
  for (int count : {3, 4, 1000}) {
    Split split = MakeSplit(3);
    Truncate(split, count);
    EXPECT_EQ(split.count, 3);
    EXPECT_EQ(split.pixels.size(), 3u * kImagePixels);
    EXPECT_EQ(split.labels.size(), 3u);
  }
}

TEST(Truncate, ToOne) {
  Split split = MakeSplit(4);
  Truncate(split, 1);
  EXPECT_EQ(split.count, 1);
  EXPECT_EQ(split.pixels.size(), static_cast<size_t>(kImagePixels));
  EXPECT_THAT(split.labels, ElementsAreArray({0}));
}

// ---- The real Fashion-MNIST -------------------------------------------------------------------

// The first `size` decompressed bytes of a gzipped file.
Bytes GunzipPrefix(const std::string& path, size_t size) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  Bytes out(size);
  const int got = gzread(f, out.data(), static_cast<unsigned>(size));
  gzclose(f);
  out.resize(got < 0 ? 0 : static_cast<size_t>(got));
  return out;
}

std::string FashionFile(const std::string& name) { return std::string(kFashionDir) + "/" + name; }

TEST(FashionMnist, HeaderBytes) {
  EXPECT_THAT(GunzipPrefix(FashionFile("train-images-idx3-ubyte.gz"), 16),
              ElementsAreArray({0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0xEA, 0x60,  // 60000
                                0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x1C}));
  EXPECT_THAT(GunzipPrefix(FashionFile("train-labels-idx1-ubyte.gz"), 8),
              ElementsAreArray({0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0xEA, 0x60}));
  EXPECT_THAT(GunzipPrefix(FashionFile("t10k-images-idx3-ubyte.gz"), 16),
              ElementsAreArray({0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x27, 0x10,  // 10000
                                0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x1C}));
  EXPECT_THAT(GunzipPrefix(FashionFile("t10k-labels-idx1-ubyte.gz"), 8),
              ElementsAreArray({0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x27, 0x10}));
}

void ExpectFashionSplit(const Split& split, int count, const std::string& prefix) {
  EXPECT_EQ(split.count, count);
  ASSERT_EQ(split.labels.size(), static_cast<size_t>(count));
  ASSERT_EQ(split.pixels.size(), static_cast<size_t>(count) * kImagePixels);
  const auto [lo, hi] = std::minmax_element(split.pixels.begin(), split.pixels.end());
  EXPECT_EQ(*lo, 0);
  EXPECT_EQ(*hi, 255);
  std::array<int, kClasses> per_class = {};
  for (uint8_t label : split.labels) {
    ASSERT_LT(label, kClasses);
    ++per_class[label];
  }
  for (int c = 0; c < kClasses; ++c) EXPECT_EQ(per_class[c], count / kClasses) << "class " << c;

  // The first sample is exactly the bytes after the headers, in order.
  const Bytes images = GunzipPrefix(FashionFile(prefix + "-images-idx3-ubyte.gz"), 16 + 784);
  const Bytes labels = GunzipPrefix(FashionFile(prefix + "-labels-idx1-ubyte.gz"), 8 + 1);
  ASSERT_EQ(images.size(), 16u + 784);
  ASSERT_EQ(labels.size(), 9u);
  EXPECT_EQ(split.labels[0], labels[8]);
  for (int i = 0; i < kImagePixels; ++i) {
    ASSERT_EQ(split.pixels[i], images[16 + i]) << "pixel " << i;
  }
}

TEST(FashionMnist, LoadDataset) {
  absl::StatusOr<Dataset> data = LoadDataset("fashion", "");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->name, "fashion");
  EXPECT_EQ(data->dir, kFashionDir);
  ExpectFashionSplit(data->train, 60000, "train");
  ExpectFashionSplit(data->test, 10000, "t10k");
  EXPECT_EQ(data->train.labels[0], 9);  // the first training image is an ankle boot
}

}  // namespace
}  // namespace common
