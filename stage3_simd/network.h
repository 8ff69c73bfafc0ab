#ifndef STAGE3_SIMD_NETWORK_H_
#define STAGE3_SIMD_NETWORK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"

namespace stage3 {

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
  // Backward and ApplyGradients in one pass: the product adds each layer's update straight into
  // its weights, where Backward writes a gradient for the SGD update to read back.
  double TrainStep(const float* inputs, const uint8_t* labels, int batch, float* logits,
                   float learning_rate) override;
  common::Engine Describe() const override;  // adds the SIMD kernel chosen for this CPU

 private:
  // Runs the batch through every layer, keeping each layer's output for backpropagation.
  void ForwardBatch(const float* inputs, int batch);
  // Forward, loss and backpropagation. Without a learning rate, the gradients go to gradients_
  // (Backward); with one, the SGD step goes straight into the parameters (TrainStep).
  double Step(const float* inputs, const uint8_t* labels, int batch, float* logits,
              std::optional<float> learning_rate);

  std::vector<int> sizes_;
  // Weights as common::Layer keeps them: row-major [inputs][outputs], one buffer per layer.
  common::Parameters parameters_, gradients_;
  // outputs_[l] and deltas_[l]: row-major [batch][outputs of layer l].
  std::vector<std::vector<float>> outputs_, deltas_;
};

// The trainer's and the tests' way in: one thread, the stage's own products (--gemm=own).
absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage3

#endif  // STAGE3_SIMD_NETWORK_H_
