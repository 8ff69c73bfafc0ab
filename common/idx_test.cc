// The IDX readers on hand-made files: good images and labels, plain and gzipped, and every way a
// file can be broken. Each error must be one line that names the file and the problem.
#include "common/idx.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Bytes = std::vector<uint8_t>;

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void AppendBigEndian(Bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// Header {0, 0, type, rank} + one big-endian size per dimension, then the payload.
Bytes Idx(uint8_t type, const std::vector<uint32_t>& dims, const Bytes& payload) {
  Bytes out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) AppendBigEndian(out, d);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes Pattern(size_t size) {  // deterministic, poorly compressible
  Bytes out(size);
  uint32_t x = 12345;
  for (uint8_t& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

Bytes ImagesIdx(uint32_t count, const Bytes& payload) {
  return Idx(0x08, {count, 28, 28}, payload);
}

Bytes LabelsIdx(const Bytes& labels) {
  return Idx(0x08, {static_cast<uint32_t>(labels.size())}, labels);
}

std::string WriteRaw(const std::string& name, const Bytes& bytes) {
  const std::string path = TmpPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  EXPECT_TRUE(out) << "cannot write " << path;
  return path;
}

std::string WriteGz(const std::string& name, const Bytes& bytes) {
  const std::string path = TmpPath(name);
  gzFile f = gzopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << "cannot write " << path;
  if (f == nullptr) return path;
  if (!bytes.empty()) {
    EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  EXPECT_EQ(gzclose(f), Z_OK);
  return path;
}

Bytes ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The error contract: an error, one line, naming the file and saying what is wrong.
template <typename T>
void ExpectError(const absl::StatusOr<T>& result, const std::string& path,
                 const std::string& phrase,
                 absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  ASSERT_FALSE(result.ok()) << "expected an error for " << path;
  const std::string message(result.status().message());
  EXPECT_EQ(result.status().code(), code) << message;
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr(phrase));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

// ---- Valid files ------------------------------------------------------------------------------

Bytes TwoImages() {
  Bytes payload = Pattern(2 * 784);
  payload[0] = 0;
  payload[1] = 255;
  payload[2] = 51;
  payload[783] = 128;
  payload[784] = 1;
  payload[2 * 784 - 1] = 254;
  return payload;
}

void ExpectTwoImages(const absl::StatusOr<Images>& images, const Bytes& payload) {
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_EQ(images->count, 2);
  EXPECT_EQ(images->rows, 28);
  EXPECT_EQ(images->cols, 28);
  ASSERT_EQ(images->pixels.size(), 2u * 784);
  EXPECT_EQ(images->pixels[0], 0);
  EXPECT_EQ(images->pixels[1], 255);
  EXPECT_EQ(images->pixels[783], 128);
  EXPECT_EQ(images->pixels[784], 1);
  EXPECT_EQ(images->pixels[2 * 784 - 1], 254);
  EXPECT_EQ(images->pixels, payload);
}

TEST(LoadIdxImages, ReadsRawFile) {
  const Bytes payload = TwoImages();
  const std::string path = WriteRaw("images_raw", ImagesIdx(2, payload));
  ExpectTwoImages(LoadIdxImages(path), payload);
}

TEST(LoadIdxImages, ReadsGzippedFile) {
  const Bytes payload = TwoImages();
  const std::string path = WriteGz("images.gz", ImagesIdx(2, payload));
  ASSERT_EQ(ReadRaw(path).at(0), 0x1f);  // really gzipped
  ASSERT_EQ(ReadRaw(path).at(1), 0x8b);
  ExpectTwoImages(LoadIdxImages(path), payload);
}

TEST(LoadIdxImages, ReadsAllByteValues) {
  Bytes payload(784);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i % 256);
  absl::StatusOr<Images> images = LoadIdxImages(WriteRaw("all_bytes", ImagesIdx(1, payload)));
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_EQ(images->pixels, payload);
}

TEST(LoadIdxLabels, ReadsRawFile) {
  const Bytes labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 0, 5};
  absl::StatusOr<std::vector<uint8_t>> got =
      LoadIdxLabels(WriteRaw("labels_raw", LabelsIdx(labels)));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, labels);
}

TEST(LoadIdxLabels, ReadsGzippedFile) {
  const Bytes labels = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  absl::StatusOr<std::vector<uint8_t>> got = LoadIdxLabels(WriteGz("labels.gz", LabelsIdx(labels)));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, labels);
}

// ---- Broken files -----------------------------------------------------------------------------

TEST(LoadIdxErrors, MissingFileIsNotFound) {
  const std::string path = TmpPath("does_not_exist");
  std::remove(path.c_str());
  ExpectError(LoadIdxImages(path), path, "cannot open", absl::StatusCode::kNotFound);
  ExpectError(LoadIdxLabels(path), path, "cannot open", absl::StatusCode::kNotFound);
}

TEST(LoadIdxErrors, EmptyFile) {
  const std::string path = WriteRaw("empty", {});
  ExpectError(LoadIdxImages(path), path, "truncated");
  ExpectError(LoadIdxLabels(path), path, "truncated");
}

TEST(LoadIdxErrors, EmptyGzippedFile) {
  const std::string path = WriteGz("empty.gz", {});
  ExpectError(LoadIdxLabels(path), path, "truncated");
}

TEST(LoadIdxErrors, BadMagic) {
  Bytes bytes = LabelsIdx({1, 2, 3});
  bytes[0] = 0x12;
  const std::string path = WriteRaw("bad_magic0", bytes);
  ExpectError(LoadIdxLabels(path), path, "bad magic number");

  bytes[0] = 0;
  bytes[1] = 0x01;
  const std::string path1 = WriteRaw("bad_magic1", bytes);
  ExpectError(LoadIdxLabels(path1), path1, "bad magic number");

  // A text file is not an IDX file either.
  const std::string text = WriteRaw("text", {'h', 'e', 'l', 'l', 'o', '\n', 'x', 'y', 'z'});
  ExpectError(LoadIdxImages(text), text, "not an IDX file");
}

TEST(LoadIdxErrors, WrongElementType) {
  Bytes floats = Idx(0x0D, {1, 28, 28}, Bytes(4 * 784));
  const std::string path = WriteRaw("floats", floats);
  ExpectError(LoadIdxImages(path), path, "element type 0xd is not unsigned bytes");

  const std::string signed_path = WriteRaw("signed", Idx(0x09, {3}, {1, 2, 3}));
  ExpectError(LoadIdxLabels(signed_path), signed_path, "is not unsigned bytes");
}

TEST(LoadIdxErrors, LabelsFileGivenAsImages) {
  const std::string path = WriteRaw("labels_as_images", LabelsIdx({1, 2, 3}));
  ExpectError(LoadIdxImages(path), path, "has 1 dimensions, expected 3");
}

TEST(LoadIdxErrors, ImagesFileGivenAsLabels) {
  const std::string path = WriteRaw("images_as_labels", ImagesIdx(1, Bytes(784)));
  ExpectError(LoadIdxLabels(path), path, "has 3 dimensions, expected 1");
}

TEST(LoadIdxErrors, ZeroDimension) {
  const std::string images = WriteRaw("zero_count", ImagesIdx(0, {}));
  ExpectError(LoadIdxImages(images), images, "dimension 0 is zero");
  const std::string rows = WriteRaw("zero_rows", Idx(0x08, {1, 0, 28}, {}));
  ExpectError(LoadIdxImages(rows), rows, "dimension 1 is zero");
  const std::string labels = WriteRaw("zero_labels", LabelsIdx({}));
  ExpectError(LoadIdxLabels(labels), labels, "dimension 0 is zero");
}

TEST(LoadIdxErrors, AbsurdDimension) {
  // Only the header: the reader must give up before trying to allocate or read the payload.
  const std::string images = WriteRaw("absurd_images", Idx(0x08, {kMaxIdxItems + 1, 28, 28}, {}));
  ExpectError(LoadIdxImages(images), images, "absurd size");
  const std::string labels = WriteRaw("absurd_labels", Idx(0x08, {0xFFFFFFFFu}, {}));
  ExpectError(LoadIdxLabels(labels), labels, "absurd size");
  // Each dimension plausible, their product not.
  const std::string product = WriteRaw("absurd_product", Idx(0x08, {1000000, 1000000, 28}, {}));
  ExpectError(LoadIdxImages(product), product, "absurd size");
}

// 2^22 * 2^21 * 2^21 wraps a 64-bit product to 0: the size must be checked as it grows.
TEST(LoadIdxErrors, AbsurdProductThatOverflowsUint64) {
  const std::string path = WriteRaw("overflow", Idx(0x08, {1u << 22, 1u << 21, 1u << 21}, {}));
  ExpectError(LoadIdxImages(path), path, "absurd size");
}

TEST(LoadIdxErrors, TruncatedHeader) {
  const Bytes full = ImagesIdx(1, Bytes(784));
  for (size_t size : {2, 4, 6, 8, 12, 15}) {
    SCOPED_TRACE(size);
    const std::string path = WriteRaw("short_header", Bytes(full.begin(), full.begin() + size));
    ExpectError(LoadIdxImages(path), path, "ends in the middle of the header");
  }
  const Bytes labels = LabelsIdx({1, 2});
  const std::string path =
      WriteRaw("short_label_header", Bytes(labels.begin(), labels.begin() + 7));
  ExpectError(LoadIdxLabels(path), path, "ends in the middle of the header");
}

TEST(LoadIdxErrors, TruncatedPayload) {
  const std::string images = WriteRaw("short_images", ImagesIdx(3, Pattern(2 * 784 + 100)));
  ExpectError(LoadIdxImages(images), images, "ends in the middle of the data");
  const std::string gz = WriteGz("short_images.gz", ImagesIdx(3, Pattern(2 * 784 + 100)));
  ExpectError(LoadIdxImages(gz), gz, "ends in the middle of the data");
  const std::string labels = WriteRaw("short_labels", Idx(0x08, {5}, {1, 2, 3, 4}));
  ExpectError(LoadIdxLabels(labels), labels, "truncated");
}

TEST(LoadIdxErrors, TrailingBytes) {
  Bytes images = ImagesIdx(1, Bytes(784));
  images.push_back(0);
  const std::string path = WriteRaw("long_images", images);
  ExpectError(LoadIdxImages(path), path, "more bytes than its header announces");

  Bytes labels = LabelsIdx({1, 2, 3});
  labels.push_back(4);
  const std::string gz = WriteGz("long_labels.gz", labels);
  ExpectError(LoadIdxLabels(gz), gz, "more bytes than its header announces");
}

TEST(LoadIdxErrors, ImagesNot28x28) {
  const std::string path = WriteRaw("small_images", Idx(0x08, {2, 8, 8}, Bytes(2 * 64)));
  ExpectError(LoadIdxImages(path), path, "images are 8x8, but the model takes 28x28");
  const std::string wide = WriteRaw("wide_images", Idx(0x08, {1, 28, 29}, Bytes(28 * 29)));
  ExpectError(LoadIdxImages(wide), wide, "images are 28x29");
}

TEST(LoadIdxErrors, LabelOutOfRange) {
  const std::string path = WriteRaw("label10", LabelsIdx({0, 9, 3, 10, 2}));
  ExpectError(LoadIdxLabels(path), path, "label 10 at index 3 is outside 0..9");
  const std::string gz = WriteGz("label255.gz", LabelsIdx({255}));
  ExpectError(LoadIdxLabels(gz), gz, "label 255 at index 0 is outside 0..9");
}

TEST(LoadIdxErrors, GzipHeaderWithGarbageBody) {
  // A valid gzip member header (magic, deflate, no flags, mtime, xfl, OS), then bytes that are
  // no deflate stream (0xFF: final block of the reserved type 3).
  Bytes bytes = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03};
  for (int i = 0; i < 64; ++i) bytes.push_back(0xFF);
  const std::string path = WriteRaw("garbage.gz", bytes);
  ExpectError(LoadIdxImages(path), path, "cannot decompress");
  ExpectError(LoadIdxLabels(path), path, "corrupt");
}

TEST(LoadIdxErrors, GzipStreamCutShort) {
  const std::string gz = WriteGz("cut.gz", ImagesIdx(4, Pattern(4 * 784)));
  Bytes compressed = ReadRaw(gz);
  ASSERT_GT(compressed.size(), 1000u);
  compressed.resize(compressed.size() / 2);
  const std::string path = WriteRaw("cut.gz", compressed);
  ExpectError(LoadIdxImages(path), path, "truncated");
}

TEST(LoadIdxErrors, GzipChecksumMismatch) {
  const std::string gz = WriteGz("crc.gz", ImagesIdx(1, Pattern(784)));
  Bytes compressed = ReadRaw(gz);
  compressed[compressed.size() - 8] ^= 0x5A;  // the CRC-32 of the trailer
  const std::string path = WriteRaw("crc.gz", compressed);
  ExpectError(LoadIdxImages(path), path, "corrupt");
}

// A gzip file cut inside its 8-byte trailer (CRC-32 and length) still yields the whole payload;
// zlib reports the cut only through gzerror.
TEST(LoadIdxErrors, GzipTrailerCutOff) {
  const std::string gz = WriteGz("no_trailer.gz", LabelsIdx({1, 2, 3}));
  Bytes compressed = ReadRaw(gz);
  compressed.resize(compressed.size() - 8);
  const std::string path = WriteRaw("no_trailer.gz", compressed);
  ExpectError(LoadIdxLabels(path), path, "truncated");
}

}  // namespace
}  // namespace common
