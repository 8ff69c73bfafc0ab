#ifndef STAGE5_THREADS_BACKENDS_H_
#define STAGE5_THREADS_BACKENDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/gemm.h"
#include "common/model.h"

namespace stage5 {

using common::Transpose;

// A dense layer that a library computes in one call, doing more than a product:
// out = in · weights + bias, through ReLU for hidden layers (XNNPACK's fully-connected operator).
// Such a library keeps the weights in its own packed layout, so the network hands them over
// with Load after every change (SetParameters, each SGD step) and may then call Forward as
// often as it likes.
class FusedDense {
 public:
  virtual ~FusedDense() = default;
  virtual void Load(const common::Layer& layer, bool relu) = 0;
  // in: [batch][layer.inputs], out: [batch][layer.outputs], both row-major and dense.
  virtual void Forward(const float* in, int batch, float* out) = 0;
};

// Whose matrix products the network uses (--gemm).
struct Backend {
  const char* name;
  // Every product of the training step goes through this (common/gemm.h's contract).
  common::GemmFunction gemm;
  // What the run's first line and the record say: library version, the kernels it chose.
  std::string (*details)();
  // Lets the library run each product on `threads` threads of its own (OpenBLAS's, Eigen's thread
  // pool, XNNPACK's pthreadpool). Null for "own": the network splits the step on its own pool.
  absl::Status (*set_threads)(int threads);
  // Null if the library offers nothing fused: the network then calls `gemm` and adds the bias
  // and the ReLU itself.
  std::unique_ptr<FusedDense> (*make_fused_dense)();
  // Own only, null for the libraries: the width of the column panels, stored [k][width], that
  // its gemm reads as B in place, unpacked (gemm.cc). The network keeps its weights so.
  int (*panel_width)() = nullptr;
};

// Every backend of this stage, the default (the fastest, see README.md) first.
const std::vector<Backend>& Backends();

// The backend named by --gemm ("" = the default), set up to run on `threads` threads. An unknown
// name is an InvalidArgument error that lists the choices.
absl::StatusOr<const Backend*> FindBackend(const std::string& name, int threads);

}  // namespace stage5

#endif  // STAGE5_THREADS_BACKENDS_H_
