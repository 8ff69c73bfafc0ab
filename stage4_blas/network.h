#ifndef STAGE4_BLAS_NETWORK_H_
#define STAGE4_BLAS_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"

namespace stage4 {

// Stage 2's perceptron, unchanged: float32, one contiguous row-major buffer per matrix, the
// whole mini-batch as one matrix. What changed is under it: every matrix product now runs on a
// hand-written SIMD kernel, register-tiled and cache-blocked (gemm.h).
class Network : public common::Network {
 public:
  explicit Network(const std::vector<int>& sizes);

  void SetParameters(const common::Parameters& parameters) override;
  common::Parameters GetParameters() const override;
  void Forward(const float* inputs, int batch, float* logits) override;
  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override;
  common::Parameters GetGradients() const override;
  void ApplyGradients(float learning_rate) override;
  common::Engine Describe() const override;  // adds the SIMD kernel chosen for this CPU

 private:
  // Runs the batch through every layer, keeping each layer's output for backpropagation.
  void ForwardBatch(const float* inputs, int batch);

  std::vector<int> sizes_;
  // Weights as common::Layer keeps them: row-major [inputs][outputs], one buffer per layer.
  common::Parameters parameters_, gradients_;
  // outputs_[l] and deltas_[l]: row-major [batch][outputs of layer l].
  std::vector<std::vector<float>> outputs_, deltas_;
};

// The trainer's and the tests' way in: one thread, the stage's own products (--gemm=own).
absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage4

#endif  // STAGE4_BLAS_NETWORK_H_
