#ifndef STAGE1_NAIVE_NETWORK_H_
#define STAGE1_NAIVE_NETWORK_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"

namespace stage1 {

// The perceptron as a newcomer writes it first: doubles, a vector per row, and one sample at a
// time through the textbook loops of forward pass and backpropagation.
class Network : public common::Network {
 public:
  explicit Network(const std::vector<int>& sizes);

  void SetParameters(const common::Parameters& parameters) override;
  common::Parameters GetParameters() const override;
  void Forward(const float* inputs, int batch, float* logits) override;
  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override;
  common::Parameters GetGradients() const override;
  void ApplyGradients(float learning_rate) override;

 private:
  using Vector = std::vector<double>;
  using Matrix = std::vector<Vector>;

  // Activations of every layer for one image: [0] is the image, the last are the logits.
  std::vector<Vector> ForwardSample(const float* image) const;
  common::Parameters Export(const std::vector<Matrix>& weights,
                            const std::vector<Vector>& biases) const;

  std::vector<int> sizes_;
  // weights_[l][j][i] connects input i of layer l to its output j, as in the textbook formula
  // z_j = sum_i w_ji a_i + b_j.
  std::vector<Matrix> weights_, weight_gradients_;
  std::vector<Vector> biases_, bias_gradients_;
};

// The trainer's and the tests' way in: one thread, the stage's own products (--gemm=own).
absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage1

#endif  // STAGE1_NAIVE_NETWORK_H_
