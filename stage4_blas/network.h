#ifndef STAGE4_BLAS_NETWORK_H_
#define STAGE4_BLAS_NETWORK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"
#include "stage4_blas/backends.h"

namespace stage4 {

// Stage 3's perceptron: float32, one contiguous row-major buffer per matrix, the whole
// mini-batch as one matrix. What changed is who computes the matrix products: a library, the
// backend (backends.h). Where the library does more than a product (XNNPACK's fused dense
// layer: product, bias and ReLU), the forward pass lets it.
class Network : public common::Network {
 public:
  Network(const std::vector<int>& sizes, const Backend& backend);

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
  common::Engine Describe() const override;  // the backend and what it chose for this CPU

 private:
  // Runs the batch through every layer, keeping each layer's output for backpropagation.
  void ForwardBatch(const float* inputs, int batch);
  // Forward, loss and backpropagation. Without a learning rate, the gradients go to gradients_
  // (Backward); with one, the SGD step goes straight into the parameters (TrainStep).
  double Step(const float* inputs, const uint8_t* labels, int batch, float* logits,
              std::optional<float> learning_rate);
  // Hands the current weights to the backend's fused layers, if it has them.
  void LoadFused();

  std::vector<int> sizes_;
  const Backend& backend_;
  std::vector<std::unique_ptr<FusedDense>> fused_;  // one per layer, or none
  // Weights as common::Layer keeps them: row-major [inputs][outputs], one buffer per layer.
  common::Parameters parameters_, gradients_;
  // outputs_[l] and deltas_[l]: row-major [batch][outputs of layer l].
  std::vector<std::vector<float>> outputs_, deltas_;
};

// The trainer's and the tests' way in: one thread, the backend --gemm names ("" = the default).
absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage4

#endif  // STAGE4_BLAS_NETWORK_H_
