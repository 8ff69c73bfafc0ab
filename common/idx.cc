#include "common/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/model.h"

namespace common {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

absl::Status Error(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

// Reads exactly `size` bytes; anything short is a truncated (or broken gzip) file.
absl::Status ReadExactly(gzFile_s* file, const std::string& path, void* out, size_t size,
                         absl::string_view what) {
  char* dst = static_cast<char*>(out);
  while (size > 0) {
    // gzread takes an unsigned int count, so large payloads go in slices.
    const unsigned slice = size > (1u << 30) ? (1u << 30) : static_cast<unsigned>(size);
    const int got = gzread(file, dst, slice);
    if (got < 0) {
      int code = 0;
      return Error(path, absl::StrCat("cannot decompress (", gzerror(file, &code),
                                      "): the file is corrupt, download it again"));
    }
    if (got == 0) {
      return Error(path, absl::StrCat("file ends in the middle of the ", what,
                                      ": truncated, download it again"));
    }
    dst += got;
    size -= static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

// Opens an IDX file, checks its header and reads its payload into `payload`.
// `dims` gets the sizes; `rank` is what the caller expects (3 for images, 1 for labels).
absl::Status ReadIdx(const std::string& path, int rank, std::vector<uint32_t>* dims,
                     std::vector<uint8_t>* payload) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open (", std::strerror(errno), ")"));
  }
  uint8_t magic[4];
  absl::Status status = ReadExactly(file.get(), path, magic, 4, "header");
  if (!status.ok()) return status;
  if (magic[0] != 0 || magic[1] != 0) {
    return Error(path, "not an IDX file (bad magic number)");
  }
  if (magic[2] != 0x08) {
    return Error(path, absl::StrCat("IDX element type 0x", absl::Hex(magic[2]),
                                    " is not unsigned bytes (0x08)"));
  }
  if (magic[3] != rank) {
    return Error(path, absl::StrCat("IDX file has ", magic[3], " dimensions, expected ", rank,
                                    rank == 3 ? " (an images file)" : " (a labels file)"));
  }
  uint64_t total = 1;
  dims->clear();
  for (int d = 0; d < rank; ++d) {
    uint8_t be[4];
    status = ReadExactly(file.get(), path, be, 4, "header");
    if (!status.ok()) return status;
    const uint32_t size =
        uint32_t{be[0]} << 24 | uint32_t{be[1]} << 16 | uint32_t{be[2]} << 8 | be[3];
    if (size == 0) return Error(path, absl::StrCat("dimension ", d, " is zero"));
    if (size > kMaxIdxItems) {
      return Error(path, absl::StrCat("dimension ", d, " is ", size,
                                      ", an absurd size: the header is corrupt"));
    }
    dims->push_back(size);
    total *= size;  // cannot overflow: both factors were bounded before
    if (total > uint64_t{kMaxIdxItems} * kImagePixels) {
      return Error(path, "the dimensions make an absurd size: the header is corrupt");
    }
  }
  // Grow the buffer as data arrives, so a short file claiming gigabytes allocates nothing big.
  payload->clear();
  while (payload->size() < total) {
    const size_t done = payload->size();
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(total - done, size_t{1} << 24));
    payload->resize(done + chunk);
    status = ReadExactly(file.get(), path, payload->data() + done, chunk, "data");
    if (!status.ok()) return status;
  }
  char extra;
  const int more = gzread(file.get(), &extra, 1);
  if (more != 0) {
    return Error(path, more < 0 ? "corrupt data after the IDX payload"
                                : "has more bytes than its header announces: not a valid IDX file");
  }
  // zlib reports a gzip stream cut inside its checksum trailer only through gzerror.
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code == Z_BUF_ERROR) {
    return Error(path, "gzip stream ends without its checksum: truncated, download it again");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Images> LoadIdxImages(const std::string& path) {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> bytes;
  absl::Status status = ReadIdx(path, 3, &dims, &bytes);
  if (!status.ok()) return status;
  if (dims[1] != 28 || dims[2] != 28) {
    return Error(path,
                 absl::StrCat("images are ", dims[1], "x", dims[2], ", but the model takes 28x28"));
  }
  Images images;
  images.count = static_cast<int>(dims[0]);
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  images.pixels = std::move(bytes);
  return images;
}

absl::StatusOr<std::vector<uint8_t>> LoadIdxLabels(const std::string& path) {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> labels;
  absl::Status status = ReadIdx(path, 1, &dims, &labels);
  if (!status.ok()) return status;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= kClasses) {
      return Error(path,
                   absl::StrCat("label ", int{labels[i]}, " at index ", i, " is outside 0..9"));
    }
  }
  return labels;
}

}  // namespace common
