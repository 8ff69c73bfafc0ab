#include "experiments/ablation/variants.h"

#include <memory>

#include "experiments/ablation/batched_network.h"
#include "experiments/ablation/matrices.h"
#include "experiments/ablation/per_sample_network.h"

namespace ablation {
namespace {

template <class Net>
absl::StatusOr<std::unique_ptr<common::Network>> Make(const common::NetworkOptions& options) {
  absl::Status status = common::CheckOneThreadOwnGemm(options, "stage2_ablation");
  if (!status.ok()) return status;
  return std::make_unique<Net>(options.sizes);
}

template <typename T, template <typename> class Matrix, Loops kLoops>
constexpr common::NetworkFactory kPerSample = Make<PerSampleNetwork<T, Matrix, kLoops>>;

template <typename T, Loops kLoops>
constexpr common::NetworkFactory kBatched = Make<BatchedNetwork<T, kLoops>>;

}  // namespace

const std::vector<Variant>& AllVariants() {
  static const auto* variants = new std::vector<Variant>{
      {"double_rows_sample_dot", kPerSample<double, RowsMatrix, Loops::kDot>},
      {"double_rows_sample_ikj", kPerSample<double, RowsMatrix, Loops::kIkj>},
      {"double_flat_sample_dot", kPerSample<double, FlatMatrix, Loops::kDot>},
      {"double_flat_sample_ikj", kPerSample<double, FlatMatrix, Loops::kIkj>},
      {"double_flat_batch_dot", kBatched<double, Loops::kDot>},
      {"double_flat_batch_ikj", kBatched<double, Loops::kIkj>},
      {"float_rows_sample_dot", kPerSample<float, RowsMatrix, Loops::kDot>},
      {"float_rows_sample_ikj", kPerSample<float, RowsMatrix, Loops::kIkj>},
      {"float_flat_sample_dot", kPerSample<float, FlatMatrix, Loops::kDot>},
      {"float_flat_sample_ikj", kPerSample<float, FlatMatrix, Loops::kIkj>},
      {"float_flat_batch_dot", kBatched<float, Loops::kDot>},
      {"float_flat_batch_ikj", kBatched<float, Loops::kIkj>},
  };
  return *variants;
}

}  // namespace ablation
