#ifndef COMMON_DATASET_H_
#define COMMON_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pages.h"

namespace common {

// Where ./setup.sh puts the official MNIST (60,000 training and 10,000 test digits).
inline constexpr char kMnistDir[] = "/usr/local/share/datasets/mnist";
// Where Debian's package dataset-fashion-mnist installs Fashion-MNIST.
inline constexpr char kFashionDir[] = "/usr/share/datasets/fashion-mnist";

// Images and their labels. Pixels stay the bytes of the file, row-major [count][784]: a quarter
// of the memory of floats, and a quarter of the bytes to fetch when a shuffled batch is gathered
// (which, as floats, cost about a tenth of stage 3's epoch); and in 2 MiB pages (pages.h).
struct Split {
  int count = 0;
  Bytes pixels;
  std::vector<uint8_t> labels;
};

// How many images ahead GatherPixels asks the memory system for while it converts one
// (experiments/gather_benchmark.cc measures other distances).
inline constexpr int kGatherPrefetchAhead = 4;

// The pixels of samples[0..n) as the networks take them, floats in [0, 1] (byte / 255), one
// image after another into `out` (n * 784 floats). 0 for `prefetch_ahead`: no prefetch.
void GatherPixels(const Split& split, const int* samples, int n, float* out,
                  int prefetch_ahead = kGatherPrefetchAhead);

// Asks the memory system for the pixels of samples[0..n) without waiting for them.
void PrefetchPixels(const Split& split, const int* samples, int n);

// The same for the consecutive samples first .. first + n - 1.
void CopyPixels(const Split& split, int first, int n, float* out);

struct Dataset {
  std::string name;  // "mnist", "fashion" or "custom"
  std::string dir;
  Split train;
  Split test;
};

// Loads `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` from `dir`, each plain or
// with `.gz` (the official MNIST names; `train` and `t10k` are the prefixes). With `limit` > 0
// only the first `limit` samples are kept (the files are still read and checked whole).
absl::StatusOr<Split> LoadSplit(const std::string& dir, const std::string& prefix, int limit = 0);

// `name` is "mnist" or "fashion"; a non-empty `data_dir` overrides the directory (any IDX set,
// e.g. the official MNIST files). Missing files give a one-line error saying how to get them.
// `train_limit` > 0 keeps only the first train_limit training samples in memory.
absl::StatusOr<Dataset> LoadDataset(const std::string& name, const std::string& data_dir,
                                    int train_limit = 0);

// What LoadDataset would load, from the files' headers alone (a few bytes each), so that memory
// can be planned before anything big is allocated.
struct DatasetShape {
  std::string name;
  std::string dir;
  int train_count = 0;  // in the files, before any limit
  int test_count = 0;
};
absl::StatusOr<DatasetShape> PeekDataset(const std::string& name, const std::string& data_dir);

// Keeps the first `count` samples.
void Truncate(Split& split, int count);

}  // namespace common

#endif  // COMMON_DATASET_H_
