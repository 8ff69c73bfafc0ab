#ifndef COMMON_IDX_H_
#define COMMON_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace common {

// Readers for the IDX files of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// a big-endian header {0, 0, type 0x08 = unsigned byte, rank} followed by one 32-bit size per
// dimension, then the bytes. Files may be plain or gzipped (zlib reads both).
//
// Every problem comes back as a one-line status naming the file: wrong magic, rank or
// dimensions, absurd sizes, truncated or trailing data, labels out of range.

struct Images {
  int count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major, the bytes as stored
};

// Images must be 28x28, as the model's input layer is fixed at 784 pixels.
absl::StatusOr<Images> LoadIdxImages(const std::string& path);

// Labels must be in [0, 9].
absl::StatusOr<std::vector<uint8_t>> LoadIdxLabels(const std::string& path);

// More items than this is taken as a corrupt header rather than an attempt to allocate it
// (the real training set has 60,000).
inline constexpr uint32_t kMaxIdxItems = 10'000'000;

}  // namespace common

#endif  // COMMON_IDX_H_
