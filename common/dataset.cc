#include "common/dataset.h"

#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/idx.h"
#include "common/model.h"

namespace common {
namespace {

// The file as named, or with .gz; empty if neither exists.
std::string FindIdx(const std::string& dir, const std::string& name) {
  for (const std::string& candidate :
       {absl::StrCat(dir, "/", name), absl::StrCat(dir, "/", name, ".gz")}) {
    if (access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return "";
}

std::string HowToGet(const std::string& name) {
  if (name == "fashion") return "install Debian's dataset-fashion-mnist (./setup.sh does)";
  if (name == "mnist") {
    return "run ./setup.sh, or pass --data_dir=DIR holding the official MNIST IDX files";
  }
  return "pass --data_dir=DIR holding <train|t10k>-<images-idx3|labels-idx1>-ubyte[.gz]";
}

struct SplitFiles {
  std::string images;
  std::string labels;
  int count = 0;  // as both headers announce it
};

// Finds the split's two files and checks that their headers agree.
absl::StatusOr<SplitFiles> FindSplit(const std::string& dir, const std::string& prefix,
                                     const std::string& how_to_get) {
  const std::string images_name = prefix + "-images-idx3-ubyte";
  const std::string labels_name = prefix + "-labels-idx1-ubyte";
  SplitFiles files;
  files.images = FindIdx(dir, images_name);
  files.labels = FindIdx(dir, labels_name);
  for (const auto& [path, name] :
       {std::pair(files.images, images_name), std::pair(files.labels, labels_name)}) {
    if (path.empty()) {
      return absl::NotFoundError(absl::StrCat("no ", name, "[.gz] in ", dir, ": ", how_to_get));
    }
  }
  absl::StatusOr<uint32_t> images = IdxItemCount(files.images, 3);
  if (!images.ok()) return images.status();
  absl::StatusOr<uint32_t> labels = IdxItemCount(files.labels, 1);
  if (!labels.ok()) return labels.status();
  if (*images != *labels) {
    return absl::InvalidArgumentError(absl::StrCat(files.images, " holds ", *images, " images but ",
                                                   files.labels, " holds ", *labels,
                                                   " labels: the files do not belong together"));
  }
  files.count = static_cast<int>(*images);
  return files;
}

absl::StatusOr<Split> LoadSplitOf(const std::string& dir, const std::string& prefix,
                                  const std::string& how_to_get, int limit) {
  absl::StatusOr<SplitFiles> files = FindSplit(dir, prefix, how_to_get);
  if (!files.ok()) return files.status();
  absl::StatusOr<Images> images = LoadIdxImages(files->images, limit);
  if (!images.ok()) return images.status();
  absl::StatusOr<std::vector<uint8_t>> labels = LoadIdxLabels(files->labels);
  if (!labels.ok()) return labels.status();
  Split split;
  split.count = images->count;
  split.pixels = std::move(images->pixels);
  split.labels = std::move(*labels);
  split.labels.resize(split.count);  // the labels of samples beyond the limit were checked, too
  return split;
}

absl::Status CheckName(const std::string& name, const std::string& data_dir) {
  if (data_dir.empty() && name != "mnist" && name != "fashion") {
    return absl::InvalidArgumentError(
        absl::StrCat("--dataset=", name, " is unknown: use mnist or fashion (or --data_dir)"));
  }
  return absl::OkStatus();
}

std::string DirOf(const std::string& name, const std::string& data_dir) {
  return !data_dir.empty() ? data_dir : name == "mnist" ? kMnistDir : kFashionDir;
}

}  // namespace

absl::StatusOr<Split> LoadSplit(const std::string& dir, const std::string& prefix, int limit) {
  return LoadSplitOf(dir, prefix, HowToGet("custom"), limit);
}

absl::StatusOr<DatasetShape> PeekDataset(const std::string& name, const std::string& data_dir) {
  absl::Status status = CheckName(name, data_dir);
  if (!status.ok()) return status;
  DatasetShape shape;
  shape.name = data_dir.empty() ? name : "custom";
  shape.dir = DirOf(name, data_dir);
  const std::string how = HowToGet(shape.name);
  absl::StatusOr<SplitFiles> train = FindSplit(shape.dir, "train", how);
  if (!train.ok()) return train.status();
  absl::StatusOr<SplitFiles> test = FindSplit(shape.dir, "t10k", how);
  if (!test.ok()) return test.status();
  shape.train_count = train->count;
  shape.test_count = test->count;
  return shape;
}

absl::StatusOr<Dataset> LoadDataset(const std::string& name, const std::string& data_dir,
                                    int train_limit) {
  absl::Status status = CheckName(name, data_dir);
  if (!status.ok()) return status;
  Dataset data;
  data.name = data_dir.empty() ? name : "custom";
  data.dir = DirOf(name, data_dir);
  const std::string how = HowToGet(data.name);
  absl::StatusOr<Split> train = LoadSplitOf(data.dir, "train", how, train_limit);
  if (!train.ok()) return train.status();
  absl::StatusOr<Split> test = LoadSplitOf(data.dir, "t10k", how, 0);
  if (!test.ok()) return test.status();
  data.train = std::move(*train);
  data.test = std::move(*test);
  return data;
}

namespace {

// Asks for one image's 13 cache lines without waiting for them.
void PrefetchImage(const Split& split, int sample) {
  constexpr int kCacheLine = 64;
  const uint8_t* image = &split.pixels[static_cast<size_t>(sample) * kImagePixels];
  for (int offset = 0; offset < kImagePixels; offset += kCacheLine) {
    __builtin_prefetch(image + offset);
  }
  __builtin_prefetch(image + kImagePixels - 1);  // the last line, if the image is not aligned
}

}  // namespace

void GatherPixels(const Split& split, const int* samples, int n, float* out, int prefetch_ahead) {
  // The images lie anywhere in 47 MB, so each may be a trip to memory, and the trainer's prefetch
  // of this batch a whole step ago did not keep all of them in cache. Asking for the image a few
  // places on while converting this one keeps several trips in flight: a batch of 64 took
  // 9-10 us instead of 17-18 on Zen 3 (experiments/gather_benchmark.cc).
  for (int i = 0; i < n; ++i) {
    if (prefetch_ahead > 0 && i + prefetch_ahead < n) {
      PrefetchImage(split, samples[i + prefetch_ahead]);
    }
    const uint8_t* image = &split.pixels[static_cast<size_t>(samples[i]) * kImagePixels];
    float* row = out + static_cast<size_t>(i) * kImagePixels;
    for (int p = 0; p < kImagePixels; ++p) row[p] = image[p] * (1.0f / 255);
  }
}

void PrefetchPixels(const Split& split, const int* samples, int n) {
  for (int i = 0; i < n; ++i) PrefetchImage(split, samples[i]);
}

void CopyPixels(const Split& split, int first, int n, float* out) {
  const uint8_t* image = &split.pixels[static_cast<size_t>(first) * kImagePixels];
  const size_t count = static_cast<size_t>(n) * kImagePixels;
  for (size_t p = 0; p < count; ++p) out[p] = image[p] * (1.0f / 255);
}

void Truncate(Split& split, int count) {
  if (count >= split.count) return;
  split.count = count;
  split.pixels.resize(static_cast<size_t>(count) * kImagePixels);
  split.labels.resize(count);
}

}  // namespace common
