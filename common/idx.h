#ifndef COMMON_IDX_H_
#define COMMON_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pages.h"

namespace common {

// Readers for the IDX files of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// a big-endian header {0, 0, type 0x08 = unsigned byte, rank} followed by one 32-bit size per
// dimension, then the bytes. Files may be plain or gzipped, and are read with integrity (see
// common/input_file.h: regular files only; gzip checksums and lengths verified; nothing may
// follow the data).
//
// Every problem comes back as a one-line status naming the file: wrong magic, rank or
// dimensions, absurd sizes, truncated or trailing data, corrupt gzip, labels out of range.

struct Images {
  int count = 0;
  int rows = 0;
  int cols = 0;
  Bytes pixels;  // count * rows * cols, row-major, the bytes as stored (pages.h)
};

// Images must be 28x28, as the model's input layer is fixed at 784 pixels. With `max_count` > 0
// only the first max_count images are kept in memory; the rest of the file is still read and
// verified, but never stored.
absl::StatusOr<Images> LoadIdxImages(const std::string& path, int max_count = 0);

// Labels must be in [0, 9].
absl::StatusOr<std::vector<uint8_t>> LoadIdxLabels(const std::string& path);

// The number of items (images or labels) an IDX file's header announces, checking only the
// header: what a caller needs to plan memory before loading. `rank` is 3 (images) or 1 (labels).
absl::StatusOr<uint32_t> IdxItemCount(const std::string& path, int rank);

// More items than this is taken as a corrupt header rather than an attempt to allocate it
// (the real training set has 60,000).
inline constexpr uint32_t kMaxIdxItems = 10'000'000;

}  // namespace common

#endif  // COMMON_IDX_H_
