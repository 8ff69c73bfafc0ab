#include "stage2_float/network.h"

#include <algorithm>
#include <cmath>

#include "common/profile.h"
#include "stage2_float/gemm.h"

namespace stage2 {

Network::Network(const std::vector<int>& sizes)
    : sizes_(sizes),
      parameters_(common::ZerosLike(sizes)),
      gradients_(common::ZerosLike(sizes)),
      outputs_(sizes.size() - 1),
      deltas_(sizes.size() - 1) {}

void Network::SetParameters(const common::Parameters& parameters) { parameters_ = parameters; }

common::Parameters Network::GetParameters() const { return parameters_; }

common::Parameters Network::GetGradients() const { return gradients_; }

void Network::ForwardBatch(const float* inputs, int batch) {
  const float* in = inputs;
  for (size_t l = 0; l < parameters_.layers.size(); ++l) {
    const common::Layer& layer = parameters_.layers[l];
    std::vector<float>& out = outputs_[l];
    out.resize(static_cast<size_t>(batch) * layer.outputs);
    {
      PROFILE_SCOPE("forward GEMM", l + 1);
      // out[batch][outputs] = in[batch][inputs] · weights[inputs][outputs]
      Gemm(Transpose::kNo, Transpose::kNo, batch, layer.outputs, layer.inputs, in, layer.inputs,
           layer.weights.data(), layer.outputs, 0.0f, out.data(), layer.outputs);
    }
    PROFILE_SCOPE("bias + ReLU");
    const bool hidden = l + 1 < parameters_.layers.size();
    for (int s = 0; s < batch; ++s) {
      float* row = &out[static_cast<size_t>(s) * layer.outputs];
      for (int j = 0; j < layer.outputs; ++j) {
        const float z = row[j] + layer.bias[j];
        row[j] = hidden ? std::max(0.0f, z) : z;  // ReLU on hidden layers, raw logits at the end
      }
    }
    in = out.data();
  }
}

void Network::Forward(const float* inputs, int batch, float* logits) {
  ForwardBatch(inputs, batch);
  std::copy(outputs_.back().begin(), outputs_.back().end(), logits);
}

double Network::Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) {
  Forward(inputs, batch, logits);
  const int n_out = sizes_.back();
  std::vector<float>& delta_out = deltas_.back();
  delta_out.resize(static_cast<size_t>(batch) * n_out);
  double loss = 0;
  {
    PROFILE_SCOPE("softmax + loss");
    for (int s = 0; s < batch; ++s) {
      // Softmax cross-entropy, shifted by the largest logit so exp() cannot overflow.
      const float* z = &logits[s * n_out];
      float* delta = &delta_out[s * n_out];
      const float max_z = *std::max_element(z, z + n_out);
      float sum = 0;
      for (int j = 0; j < n_out; ++j) sum += delta[j] = std::exp(z[j] - max_z);
      loss += max_z + std::log(sum) - z[labels[s]];
      // dLoss/dz = softmax - one_hot, divided by the batch because the loss is a batch mean.
      for (int j = 0; j < n_out; ++j) {
        delta[j] = (delta[j] / sum - (j == labels[s] ? 1.0f : 0.0f)) / batch;
      }
    }
  }
  // Backpropagation, last layer first: three matrix products per layer instead of per sample.
  for (size_t l = parameters_.layers.size(); l-- > 0;) {
    const common::Layer& layer = parameters_.layers[l];
    common::Layer& gradient = gradients_.layers[l];
    const float* in = l == 0 ? inputs : outputs_[l - 1].data();
    const std::vector<float>& delta = deltas_[l];
    {
      PROFILE_SCOPE("weight-gradient GEMM", l + 1);
      // weight gradient[inputs][outputs] = in^T · delta, summed over the batch by the product
      Gemm(Transpose::kYes, Transpose::kNo, layer.inputs, layer.outputs, batch, in, layer.inputs,
           delta.data(), layer.outputs, 0.0f, gradient.weights.data(), layer.outputs);
    }
    {
      PROFILE_SCOPE("bias gradient");
      std::fill(gradient.bias.begin(), gradient.bias.end(), 0.0f);
      for (int s = 0; s < batch; ++s) {
        for (int j = 0; j < layer.outputs; ++j) gradient.bias[j] += delta[s * layer.outputs + j];
      }
    }
    if (l == 0) break;  // nothing to learn from the gradient of the image itself
    // previous delta[batch][inputs] = delta · weights^T, then through the ReLU
    std::vector<float>& previous = deltas_[l - 1];
    previous.resize(static_cast<size_t>(batch) * layer.inputs);
    {
      PROFILE_SCOPE("input-gradient GEMM", l + 1);
      Gemm(Transpose::kNo, Transpose::kYes, batch, layer.inputs, layer.outputs, delta.data(),
           layer.outputs, layer.weights.data(), layer.outputs, 0.0f, previous.data(), layer.inputs);
    }
    PROFILE_SCOPE("ReLU mask");
    for (size_t i = 0; i < previous.size(); ++i) {
      if (in[i] <= 0) previous[i] = 0;  // ReLU passes no gradient where it output zero
    }
  }
  return loss / batch;
}

void Network::ApplyGradients(float learning_rate) {
  PROFILE_SCOPE("SGD update");
  for (size_t l = 0; l < parameters_.layers.size(); ++l) {
    common::Layer& layer = parameters_.layers[l];
    const common::Layer& gradient = gradients_.layers[l];
    for (size_t i = 0; i < layer.weights.size(); ++i) {
      layer.weights[i] -= learning_rate * gradient.weights[i];
    }
    for (size_t j = 0; j < layer.bias.size(); ++j) {
      layer.bias[j] -= learning_rate * gradient.bias[j];
    }
  }
}

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(
    const common::NetworkOptions& options) {
  absl::Status status = common::CheckOneThreadOwnGemm(options, "stage2_float");
  if (!status.ok()) return status;
  return std::make_unique<Network>(options.sizes);
}

}  // namespace stage2
