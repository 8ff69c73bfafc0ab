#include "common/idx.h"

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/input_file.h"
#include "common/model.h"

namespace common {
namespace {

absl::Status Error(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

struct IdxHeader {
  std::vector<uint32_t> dims;
  uint64_t payload_bytes = 0;  // the product of the dimensions
  uint64_t header_bytes = 0;   // 4 + 4 per dimension
};

// Reads and checks the header; `rank` is what the caller expects (3 for images, 1 for labels).
absl::StatusOr<IdxHeader> ReadHeader(InputFile& file, int rank) {
  const std::string& path = file.path();
  uint8_t magic[4];
  absl::Status status = file.Read(magic, 4, "header");
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
  IdxHeader header;
  header.header_bytes = 4 + 4 * rank;
  header.payload_bytes = 1;
  for (int d = 0; d < rank; ++d) {
    uint8_t be[4];
    status = file.Read(be, 4, "header");
    if (!status.ok()) return status;
    const uint32_t size =
        uint32_t{be[0]} << 24 | uint32_t{be[1]} << 16 | uint32_t{be[2]} << 8 | be[3];
    if (size == 0) return Error(path, absl::StrCat("dimension ", d, " is zero"));
    if (size > kMaxIdxItems) {
      return Error(path, absl::StrCat("dimension ", d, " is ", size,
                                      ", an absurd size: the header is corrupt"));
    }
    header.dims.push_back(size);
    header.payload_bytes *= size;  // cannot overflow: both factors were bounded before
    if (header.payload_bytes > uint64_t{kMaxIdxItems} * kImagePixels) {
      return Error(path, "the dimensions make an absurd size: the header is corrupt");
    }
  }
  return header;
}

// Opens an IDX file, checks its header and reads the payload of its first `max_items` items
// (0: all) into `payload`; the rest is read and verified but not kept.
template <typename Buffer>
absl::Status ReadIdx(const std::string& path, int rank, uint64_t max_items,
                     std::vector<uint32_t>* dims, Buffer* payload) {
  absl::StatusOr<std::unique_ptr<InputFile>> opened = InputFile::Open(path);
  if (!opened.ok()) return opened.status();
  InputFile& file = **opened;
  absl::StatusOr<IdxHeader> header = ReadHeader(file, rank);
  if (!header.ok()) return header.status();
  *dims = header->dims;
  if (rank == 3 && (dims->at(1) != 28 || dims->at(2) != 28)) {
    return Error(path, absl::StrCat("images are ", dims->at(1), "x", dims->at(2),
                                    ", but the model takes 28x28"));
  }
  const uint64_t total = header->payload_bytes;
  // A plain file's size tells at once whether the payload is all there.
  if (!file.gzip() && file.file_size() != header->header_bytes + total) {
    return Error(path, file.file_size() < header->header_bytes + total
                           ? "file ends in the middle of the data: truncated, download it again"
                           : "has more bytes than its header announces: not a valid IDX file");
  }
  const uint64_t item_bytes = total / header->dims[0];
  const uint64_t keep =
      max_items > 0 && max_items < header->dims[0] ? max_items * item_bytes : total;
  // Reserve what the header announces, but never more than the file could hold: a small file
  // whose header claims gigabytes allocates nothing big (the buffer grows as data arrives).
  payload->clear();
  payload->reserve(static_cast<size_t>(std::min(keep, file.MaxContentSize())));
  while (payload->size() < keep) {
    const size_t done = payload->size();
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(keep - done, size_t{1} << 24));
    payload->resize(done + chunk);
    absl::Status status = file.Read(payload->data() + done, chunk, "data");
    if (!status.ok()) return status;
  }
  absl::Status status = file.Skip(total - keep, "data");
  if (!status.ok()) return status;
  return file.ExpectEnd();
}

}  // namespace

absl::StatusOr<uint32_t> IdxItemCount(const std::string& path, int rank) {
  absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<IdxHeader> header = ReadHeader(**file, rank);
  if (!header.ok()) return header.status();
  return header->dims[0];
}

absl::StatusOr<Images> LoadIdxImages(const std::string& path, int max_count) {
  std::vector<uint32_t> dims;
  Bytes bytes;
  absl::Status status = ReadIdx(path, 3, max_count > 0 ? max_count : 0, &dims, &bytes);
  if (!status.ok()) return status;
  Images images;
  images.count = static_cast<int>(bytes.size() / (uint64_t{dims[1]} * dims[2]));
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  images.pixels = std::move(bytes);
  return images;
}

absl::StatusOr<std::vector<uint8_t>> LoadIdxLabels(const std::string& path) {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> labels;
  absl::Status status = ReadIdx(path, 1, 0, &dims, &labels);
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
