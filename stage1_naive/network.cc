#include "stage1_naive/network.h"

#include <cmath>

#include "common/profile.h"

namespace stage1 {

Network::Network(const std::vector<int>& sizes) : sizes_(sizes) {
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    weights_.push_back(Matrix(sizes[l + 1], Vector(sizes[l], 0.0)));
    biases_.push_back(Vector(sizes[l + 1], 0.0));
  }
  weight_gradients_ = weights_;
  bias_gradients_ = biases_;
}

void Network::SetParameters(const common::Parameters& parameters) {
  for (size_t l = 0; l < weights_.size(); ++l) {
    const common::Layer& layer = parameters.layers[l];
    for (int j = 0; j < layer.outputs; ++j) {
      for (int i = 0; i < layer.inputs; ++i) {
        weights_[l][j][i] = layer.weights[i * layer.outputs + j];
      }
      biases_[l][j] = layer.bias[j];
    }
  }
}

common::Parameters Network::Export(const std::vector<Matrix>& weights,
                                   const std::vector<Vector>& biases) const {
  common::Parameters parameters = common::ZerosLike(sizes_);
  for (size_t l = 0; l < weights.size(); ++l) {
    common::Layer& layer = parameters.layers[l];
    for (int j = 0; j < layer.outputs; ++j) {
      for (int i = 0; i < layer.inputs; ++i) {
        layer.weights[i * layer.outputs + j] = static_cast<float>(weights[l][j][i]);
      }
      layer.bias[j] = static_cast<float>(biases[l][j]);
    }
  }
  return parameters;
}

common::Parameters Network::GetParameters() const { return Export(weights_, biases_); }

common::Parameters Network::GetGradients() const {
  return Export(weight_gradients_, bias_gradients_);
}

std::vector<Network::Vector> Network::ForwardSample(const float* image) const {
  std::vector<Vector> activations;
  activations.push_back(Vector(image, image + sizes_[0]));
  for (size_t l = 0; l < weights_.size(); ++l) {
    PROFILE_SCOPE("forward", l + 1);
    const Vector& in = activations.back();
    Vector out(sizes_[l + 1]);
    for (size_t j = 0; j < out.size(); ++j) {
      double z = biases_[l][j];
      for (size_t i = 0; i < in.size(); ++i) z += weights_[l][j][i] * in[i];
      const bool hidden = l + 1 < weights_.size();
      out[j] = hidden ? std::max(0.0, z) : z;  // ReLU on hidden layers, raw logits at the end
    }
    activations.push_back(out);
  }
  return activations;
}

void Network::Forward(const float* inputs, int batch, float* logits) {
  const int n_in = sizes_.front(), n_out = sizes_.back();
  for (int s = 0; s < batch; ++s) {
    const Vector out = ForwardSample(inputs + s * n_in).back();
    for (int j = 0; j < n_out; ++j) logits[s * n_out + j] = static_cast<float>(out[j]);
  }
}

double Network::Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) {
  for (size_t l = 0; l < weights_.size(); ++l) {
    for (Vector& row : weight_gradients_[l]) row.assign(row.size(), 0.0);
    bias_gradients_[l].assign(bias_gradients_[l].size(), 0.0);
  }
  const int n_in = sizes_.front(), n_out = sizes_.back();
  double loss = 0;
  for (int s = 0; s < batch; ++s) {
    const std::vector<Vector> a = ForwardSample(inputs + s * n_in);
    const Vector& z = a.back();
    for (int j = 0; j < n_out; ++j) logits[s * n_out + j] = static_cast<float>(z[j]);

    PROFILE_SCOPE("softmax + loss + backprop");  // the loops below time themselves
    // Softmax cross-entropy, shifted by the largest logit so exp() cannot overflow.
    double max_z = z[0];
    for (double v : z) max_z = std::max(max_z, v);
    double sum = 0;
    for (double v : z) sum += std::exp(v - max_z);
    loss += max_z + std::log(sum) - z[labels[s]];

    // dLoss/dz = softmax - one_hot, divided by the batch because the loss is a batch mean.
    Vector delta(n_out);
    for (int j = 0; j < n_out; ++j) {
      delta[j] = (std::exp(z[j] - max_z) / sum - (j == labels[s] ? 1.0 : 0.0)) / batch;
    }
    // Backpropagation, last layer first.
    for (size_t l = weights_.size(); l-- > 0;) {
      const Vector& in = a[l];
      {
        PROFILE_SCOPE("weight + bias gradient", l + 1);
        for (size_t j = 0; j < delta.size(); ++j) {
          for (size_t i = 0; i < in.size(); ++i) weight_gradients_[l][j][i] += delta[j] * in[i];
          bias_gradients_[l][j] += delta[j];
        }
      }
      if (l == 0) break;  // nothing to learn from the gradient of the image itself
      PROFILE_SCOPE("input gradient + ReLU", l + 1);
      Vector previous(in.size(), 0.0);
      for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] <= 0) continue;  // ReLU passes no gradient where it output zero
        for (size_t j = 0; j < delta.size(); ++j) previous[i] += weights_[l][j][i] * delta[j];
      }
      delta = previous;
    }
  }
  return loss / batch;
}

void Network::ApplyGradients(float learning_rate) {
  PROFILE_SCOPE("SGD update");
  for (size_t l = 0; l < weights_.size(); ++l) {
    for (size_t j = 0; j < weights_[l].size(); ++j) {
      for (size_t i = 0; i < weights_[l][j].size(); ++i) {
        weights_[l][j][i] -= learning_rate * weight_gradients_[l][j][i];
      }
      biases_[l][j] -= learning_rate * bias_gradients_[l][j];
    }
  }
}

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(
    const common::NetworkOptions& options) {
  absl::Status status = common::CheckOneThreadOwnGemm(options, "stage1_naive");
  if (!status.ok()) return status;
  return std::make_unique<Network>(options.sizes);
}

}  // namespace stage1
