#include "testing/idx_fuzz.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/dataset.h"
#include "common/idx.h"
#include "common/model.h"

namespace fuzz {
namespace {

using Bytes = std::vector<uint8_t>;

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "idx fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

// The input as a file without touching the disk: one memory file, rewritten for each input.
const std::string& AsFile(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("idx_fuzz_input", 0);
  static const std::string path = absl::StrCat("/proc/self/fd/", fd);
  if (fd < 0 || ftruncate(fd, 0) != 0) Broken("cannot create the memory file");
  for (size_t done = 0; done < size;) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) Broken("cannot write the memory file");
    done += static_cast<size_t>(n);
  }
  return path;
}

template <typename T>
void CheckError(const absl::StatusOr<T>& result, const std::string& path, const char* call) {
  if (result.ok()) return;
  const std::string message(result.status().message());
  if (message.find(path) == std::string::npos)
    Broken(absl::StrCat(call, ": no file name in: ", message));
  if (message.find('\n') != std::string::npos) Broken(absl::StrCat(call, ": more than one line"));
}

// An independent reading of a gzip file: every member inflated in turn, trailers checked by
// zlib; nullopt-like empty result with ok = false when it is not a valid gzip stream.
bool Gunzip(const uint8_t* data, size_t size, Bytes* out) {
  out->clear();
  size_t at = 0;
  while (at < size) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
    z.next_in = const_cast<uint8_t*>(data + at);
    z.avail_in = static_cast<uInt>(size - at);
    int ret = Z_OK;
    uint8_t buffer[16384];
    while (ret == Z_OK) {
      z.next_out = buffer;
      z.avail_out = sizeof(buffer);
      ret = inflate(&z, Z_NO_FLUSH);
      out->insert(out->end(), buffer, buffer + (sizeof(buffer) - z.avail_out));
    }
    at += z.total_in;
    inflateEnd(&z);
    if (ret != Z_STREAM_END) return false;
  }
  return true;
}

// What the file holds once decompressed (or as it is, if plain).
bool Contents(const uint8_t* data, size_t size, Bytes* out) {
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return Gunzip(data, size, out);
  out->assign(data, data + size);
  return true;
}

}  // namespace

void CheckLoaders(const uint8_t* data, size_t size) {
  const std::string& path = AsFile(data, size);
  const absl::StatusOr<common::Images> images = common::LoadIdxImages(path);
  const absl::StatusOr<common::Images> first = common::LoadIdxImages(path, 1);
  const absl::StatusOr<std::vector<uint8_t>> labels = common::LoadIdxLabels(path);
  const absl::StatusOr<uint32_t> count = common::IdxItemCount(path, 3);
  CheckError(images, path, "LoadIdxImages");
  CheckError(first, path, "LoadIdxImages(limit 1)");
  CheckError(labels, path, "LoadIdxLabels");
  CheckError(count, path, "IdxItemCount");

  if (images.ok() != first.ok()) Broken("a limit changed whether the file is accepted");
  if (images.ok()) {
    if (images->rows != 28 || images->cols != 28 || images->count < 1) Broken("image shape");
    if (images->pixels.size() != static_cast<size_t>(images->count) * common::kImagePixels) {
      Broken("pixel count");
    }
    if (!count.ok() || *count != static_cast<uint32_t>(images->count)) Broken("header count");
    if (first->count != 1 ||
        !std::equal(first->pixels.begin(), first->pixels.end(), images->pixels.begin())) {
      Broken("the first image differs under a limit");
    }
    Bytes contents;
    if (!Contents(data, size, &contents)) Broken("accepted a file that is no valid gzip stream");
    if (contents.size() != 16 + images->pixels.size() ||
        !std::equal(images->pixels.begin(), images->pixels.end(), contents.begin() + 16)) {
      Broken("the pixels are not the file's bytes");
    }
  }
  if (labels.ok()) {
    for (uint8_t label : *labels) {
      if (label >= common::kClasses) Broken("label out of range");
    }
    Bytes contents;
    if (!Contents(data, size, &contents)) Broken("accepted a file that is no valid gzip stream");
    if (labels->empty() || contents.size() != 8 + labels->size() ||
        !std::equal(labels->begin(), labels->end(), contents.begin() + 8)) {
      Broken("the labels are not the file's bytes");
    }
  }
}

// ---- Seeds --------------------------------------------------------------------------------------

namespace {

Bytes Gzip(const Bytes& bytes) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, bytes.size()));
  z.next_in = const_cast<uint8_t*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes Cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes Head(const Bytes& bytes, size_t n) {
  return Bytes(bytes.begin(), bytes.begin() + std::min(n, bytes.size()));
}

void BigEndian(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes Idx(const std::vector<uint32_t>& dims, const Bytes& payload, uint8_t type = 0x08) {
  Bytes out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) BigEndian(out, d);
  return Cat(out, payload);
}

// The first `bytes` decompressed bytes of the file at `dir`/`name` (plain or .gz); empty if
// it is not there.
Bytes Prefix(const std::string& dir, const std::string& name, size_t bytes) {
  for (const std::string& path :
       {absl::StrCat(dir, "/", name), absl::StrCat(dir, "/", name, ".gz")}) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) continue;
    Bytes out(bytes);
    const int got = gzread(f, out.data(), static_cast<unsigned>(bytes));
    gzclose(f);
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
    return out;
  }
  return {};
}

// The first `n` items of a real IDX file, its count in the header set to n.
Bytes Slice(const std::string& dir, const std::string& name, int header, size_t item, int n) {
  Bytes bytes = Prefix(dir, name, header + item * n);
  if (bytes.size() != header + item * n) return {};
  bytes[4] = bytes[5] = bytes[6] = 0;
  bytes[7] = static_cast<uint8_t>(n);
  return bytes;
}

}  // namespace

std::vector<std::pair<std::string, Bytes>> SeedInputs() {
  std::vector<std::pair<std::string, Bytes>> seeds;
  auto add = [&](const std::string& name, const Bytes& bytes) {
    seeds.emplace_back(name, bytes);
    seeds.emplace_back(name + ".gz", Gzip(bytes));
  };
  // Real data.
  for (const auto& [set, dir] : {std::pair<std::string, std::string>("mnist", common::kMnistDir),
                                 {"fashion", common::kFashionDir}}) {
    const Bytes images = Slice(dir, "train-images-idx3-ubyte", 16, common::kImagePixels, 2);
    const Bytes labels = Slice(dir, "t10k-labels-idx1-ubyte", 8, 1, 10);
    if (!images.empty()) add(set + "_2_images", images);
    if (!labels.empty()) add(set + "_10_labels", labels);
  }
  const Bytes all_labels = Prefix(common::kMnistDir, "train-labels-idx1-ubyte", 60008);
  if (all_labels.size() == 60008) {
    const Bytes gz = Gzip(all_labels);
    seeds.emplace_back("mnist_60000_labels.gz", gz);
    seeds.emplace_back("mnist_60000_labels_trailer_cut.gz", Head(gz, gz.size() - 4));
  }

  // Malformed files, each one mistake away from a valid one.
  Bytes pixels(2 * common::kImagePixels);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37 % 251);
  const Bytes good_images = Idx({2, 28, 28}, pixels);
  const Bytes good_labels = Idx({5}, {0, 9, 3, 7, 1});
  add("synthetic_images", good_images);
  add("synthetic_labels", good_labels);
  add("empty", {});
  add("three_bytes", {0, 0, 8});
  add("bad_magic", Cat({0x12, 0x34}, Bytes(good_labels.begin() + 2, good_labels.end())));
  add("float_type", Idx({1, 28, 28}, Bytes(4 * 784), 0x0D));
  add("labels_rank_4", Idx({1, 1, 1, 5}, {1, 2, 3, 4, 5}));
  add("zero_count", Idx({0, 28, 28}, {}));
  add("absurd_count", Idx({common::kMaxIdxItems + 1, 28, 28}, {}));
  add("overflowing_product", Idx({1u << 22, 1u << 21, 1u << 21}, {}));
  add("ten_million_images_header", Idx({10000000, 28, 28}, {}));
  add("small_images", Idx({2, 8, 8}, Bytes(128, 7)));
  add("truncated_header", Head(good_images, 11));
  add("truncated_payload", Head(good_images, good_images.size() - 100));
  add("trailing_byte", Cat(good_labels, {4}));
  add("label_10", Idx({3}, {1, 10, 2}));
  const Bytes gz = Gzip(good_images);
  seeds.emplace_back("gzip_garbage_body",
                     Cat({0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03}, Bytes(64, 0xFF)));
  seeds.emplace_back("gzip_cut_half", Head(gz, gz.size() / 2));
  seeds.emplace_back("gzip_trailer_cut", Head(gz, gz.size() - 3));
  Bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 1;
  seeds.emplace_back("gzip_bad_crc", bad_crc);
  Bytes bad_length = gz;
  bad_length[bad_length.size() - 4] ^= 1;
  seeds.emplace_back("gzip_bad_length", bad_length);
  seeds.emplace_back("gzip_trailing_zeros", Cat(gz, Bytes(16, 0)));
  seeds.emplace_back("gzip_trailing_garbage", Cat(gz, {'x', 'y', 'z'}));
  const Bytes half(good_images.begin(), good_images.begin() + 700);
  const Bytes rest(good_images.begin() + 700, good_images.end());
  seeds.emplace_back("gzip_two_members", Cat(Gzip(half), Gzip(rest)));
  seeds.emplace_back("gzip_empty_member_after", Cat(gz, Gzip({})));
  seeds.emplace_back("gzip_extra_member", Cat(gz, Gzip({1, 2})));
  return seeds;
}

}  // namespace fuzz
