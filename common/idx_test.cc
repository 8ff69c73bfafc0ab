// The IDX readers on hand-made files: good images and labels, plain and gzipped, and every way a
// file can be broken. Each error must be one line that names the file and the problem.
#include "common/idx.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Bytes = std::vector<uint8_t>;

// The loader's pixels (common::Bytes, in 2 MiB pages) as a plain vector, to compare.
Bytes Plain(const common::Bytes& pixels) { return Bytes(pixels.begin(), pixels.end()); }

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

// `bytes` as one gzip member, in memory.
Bytes Gzip(const Bytes& bytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  Bytes out(deflateBound(&z, bytes.size()));
  z.next_in = const_cast<uint8_t*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// MNIST-like images: mostly zero, a blob of strokes in the middle.
Bytes MnistLikeImages(int count) {
  Bytes pixels(static_cast<size_t>(count) * 784, 0);
  const Bytes noise = Pattern(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    const int row = static_cast<int>(i % 784) / 28, col = static_cast<int>(i % 28);
    if (row > 5 && row < 22 && col > 7 && col < 20 && noise[i] > 100) pixels[i] = noise[i];
  }
  return pixels;
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
  EXPECT_EQ(Plain(images->pixels), payload);
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
  EXPECT_EQ(Plain(images->pixels), payload);
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

// ---- Integrity at realistic sizes --------------------------------------------------------------
// zlib's gzread() only notices a missing trailer when the whole file fits its first buffer
// (about 16 KiB): these files are the sizes of MNIST's.

Bytes SixtyThousandLabels() {
  Bytes labels = Pattern(60000);
  for (uint8_t& label : labels) label %= 10;
  return LabelsIdx(labels);
}

TEST(LoadIdxIntegrity, RealisticFilesLoad) {
  const Bytes labels = SixtyThousandLabels();
  const Bytes labels_gz = Gzip(labels);
  ASSERT_GT(labels_gz.size(), 20000u);
  absl::StatusOr<std::vector<uint8_t>> got = LoadIdxLabels(WriteRaw("labels60k.gz", labels_gz));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, Bytes(labels.begin() + 8, labels.end()));

  const Bytes images = ImagesIdx(10000, MnistLikeImages(10000));
  const Bytes images_gz = Gzip(images);
  ASSERT_GT(images_gz.size(), 1000000u);
  absl::StatusOr<Images> loaded = LoadIdxImages(WriteRaw("images10k.gz", images_gz));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->count, 10000);
  EXPECT_EQ(Plain(loaded->pixels), Bytes(images.begin() + 16, images.end()));
}

// The last 1-8 bytes are the trailer (CRC-32, length); the 9th is the end of the deflate data.
TEST(LoadIdxIntegrity, TrailerCutOffLargeFiles) {
  const Bytes labels_gz = Gzip(SixtyThousandLabels());
  const Bytes images_gz = Gzip(ImagesIdx(10000, MnistLikeImages(10000)));
  for (size_t cut = 1; cut <= 9; ++cut) {
    SCOPED_TRACE(cut);
    const std::string labels =
        WriteRaw("labels_cut.gz", Bytes(labels_gz.begin(), labels_gz.end() - cut));
    ExpectError(LoadIdxLabels(labels), labels, "truncated");
    const std::string images =
        WriteRaw("images_cut.gz", Bytes(images_gz.begin(), images_gz.end() - cut));
    ExpectError(LoadIdxImages(images), images, "truncated");
  }
}

TEST(LoadIdxIntegrity, ChecksumAndLengthMismatch) {
  const Bytes good = Gzip(ImagesIdx(10000, MnistLikeImages(10000)));
  Bytes bad_crc = good;
  bad_crc[bad_crc.size() - 8] ^= 0x01;
  const std::string crc = WriteRaw("bad_crc.gz", bad_crc);
  ExpectError(LoadIdxImages(crc), crc, "incorrect data check");
  Bytes bad_length = good;
  bad_length[bad_length.size() - 4] ^= 0x01;
  const std::string length = WriteRaw("bad_length.gz", bad_length);
  ExpectError(LoadIdxImages(length), length, "incorrect length check");
}

// One bit flipped in the compressed data: whatever deflate makes of it, the CRC must not match,
// with or without the trailer.
TEST(LoadIdxIntegrity, BitFlipInCompressedData) {
  const Bytes good = Gzip(SixtyThousandLabels());
  for (size_t from_end : {12, 40, 200, 5000}) {
    SCOPED_TRACE(from_end);
    Bytes flipped = good;
    flipped[flipped.size() - from_end] ^= 0x10;
    const std::string path = WriteRaw("flipped.gz", flipped);
    ExpectError(LoadIdxLabels(path), path, "corrupt");
    const std::string cut = WriteRaw("flipped_cut.gz", Bytes(flipped.begin(), flipped.end() - 4));
    EXPECT_FALSE(LoadIdxLabels(cut).ok());
  }
}

TEST(LoadIdxIntegrity, DataAfterTheGzipStream) {
  const Bytes small = Gzip(LabelsIdx({1, 2, 3}));
  const Bytes large = Gzip(SixtyThousandLabels());
  for (const Bytes* gz : {&small, &large}) {
    for (const Bytes& tail : {Bytes{0}, Bytes(512, 0), Bytes{'x', 'y', 'z'}, Bytes{0x1f}}) {
      SCOPED_TRACE(testing::Message() << gz->size() << " + " << tail.size());
      const std::string path = WriteRaw("tail.gz", Concat(*gz, tail));
      ExpectError(LoadIdxLabels(path), path,
                  absl::StrCat("has ", tail.size(), " bytes after the end of its gzip stream"));
    }
  }
}

// Several gzip members make one stream, as gzip(1) reads `cat a.gz b.gz`.
TEST(LoadIdxIntegrity, ConcatenatedMembersAreOneStream) {
  const Bytes images = ImagesIdx(3000, MnistLikeImages(3000));
  const size_t half = images.size() / 2 + 7;  // anywhere, even inside an image
  const Bytes two = Concat(Gzip(Bytes(images.begin(), images.begin() + half)),
                           Gzip(Bytes(images.begin() + half, images.end())));
  absl::StatusOr<Images> loaded = LoadIdxImages(WriteRaw("two_members.gz", two));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(Plain(loaded->pixels), Bytes(images.begin() + 16, images.end()));

  // An empty member after the data adds nothing (gzip -c /dev/null >> file).
  absl::StatusOr<Images> with_empty =
      LoadIdxImages(WriteRaw("empty_member.gz", Concat(two, Gzip({}))));
  ASSERT_TRUE(with_empty.ok()) << with_empty.status();
  EXPECT_EQ(with_empty->count, 3000);

  // A member with data after the payload is data the header did not announce.
  const std::string extra = WriteRaw("extra_member.gz", Concat(two, Gzip({0})));
  ExpectError(LoadIdxImages(extra), extra, "more bytes than its header announces");

  // A second member cut short.
  const Bytes second = Gzip(Bytes(images.begin() + half, images.end()));
  const std::string cut =
      WriteRaw("cut_member.gz", Concat(Gzip(Bytes(images.begin(), images.begin() + half)),
                                       Bytes(second.begin(), second.begin() + second.size() / 2)));
  ExpectError(LoadIdxImages(cut), cut, "truncated");
}

// ---- Files that are not files -----------------------------------------------------------------

TEST(LoadIdxErrors, FifoIsRefusedWithoutWaiting) {
  const std::string path = TmpPath("fifo");
  std::remove(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  ExpectError(LoadIdxImages(path), path, "is a FIFO, not a regular file");
  ExpectError(IdxItemCount(path, 1), path, "is a FIFO");
}

TEST(LoadIdxErrors, DirectoryAndDeviceAreRefused) {
  const std::string dir = TmpPath("a_directory");
  mkdir(dir.c_str(), 0755);
  ExpectError(LoadIdxLabels(dir), dir, "is a directory, not a regular file");
  ExpectError(LoadIdxImages("/dev/zero"), "/dev/zero", "is a character device");
}

// ---- Only the first images kept -----------------------------------------------------------------

TEST(LoadIdxImagesLimit, KeepsTheFirstImages) {
  const Bytes payload = MnistLikeImages(50);
  for (bool gz : {false, true}) {
    SCOPED_TRACE(gz);
    const std::string path = gz ? WriteRaw("limit.gz", Gzip(ImagesIdx(50, payload)))
                                : WriteRaw("limit", ImagesIdx(50, payload));
    absl::StatusOr<Images> images = LoadIdxImages(path, 3);
    ASSERT_TRUE(images.ok()) << images.status();
    EXPECT_EQ(images->count, 3);
    EXPECT_EQ(Plain(images->pixels), Bytes(payload.begin(), payload.begin() + 3 * 784));
    absl::StatusOr<Images> all = LoadIdxImages(path, 50);
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_EQ(all->count, 50);
    absl::StatusOr<Images> more = LoadIdxImages(path, 1000);
    ASSERT_TRUE(more.ok()) << more.status();
    EXPECT_EQ(more->count, 50);
  }
}

// The images beyond the limit are not kept, but the file is still checked to its end.
TEST(LoadIdxImagesLimit, StillChecksTheWholeFile) {
  const Bytes idx = ImagesIdx(50, MnistLikeImages(50));
  Bytes bad_crc = Gzip(idx);
  bad_crc[bad_crc.size() - 8] ^= 0x01;
  const std::string crc = WriteRaw("limit_crc.gz", bad_crc);
  ExpectError(LoadIdxImages(crc, 3), crc, "incorrect data check");
  const std::string cut = WriteRaw("limit_cut", Bytes(idx.begin(), idx.end() - 1));
  ExpectError(LoadIdxImages(cut, 3), cut, "truncated");
  const std::string cut_gz = WriteRaw("limit_cut.gz", [&] {
    const Bytes gz = Gzip(idx);
    return Bytes(gz.begin(), gz.end() - 3);
  }());
  ExpectError(LoadIdxImages(cut_gz, 3), cut_gz, "truncated");
}

TEST(IdxItemCount, ReadsOnlyTheHeader) {
  // A header announcing 10,000,000 images and no data: the count is what the header says.
  const std::string path = WriteRaw("ten_million", ImagesIdx(10000000, {}));
  absl::StatusOr<uint32_t> count = IdxItemCount(path, 3);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 10000000u);
  // Loading it finds at once that the data is missing (the file size says so).
  ExpectError(LoadIdxImages(path), path, "ends in the middle of the data");
  const std::string gz = WriteRaw("ten_million.gz", Gzip(ImagesIdx(10000000, {})));
  ExpectError(LoadIdxImages(gz), gz, "ends in the middle of the data");
  ExpectError(IdxItemCount(WriteRaw("labels_as_count", LabelsIdx({1})), 3),
              TmpPath("labels_as_count"), "expected 3");
}

}  // namespace
}  // namespace common
