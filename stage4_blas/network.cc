#include "stage4_blas/network.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/profile.h"
#include "stage4_blas/gemm.h"

namespace stage4 {

Network::Network(const std::vector<int>& sizes, const Backend& backend)
    : sizes_(sizes),
      backend_(backend),
      parameters_(common::ZerosLike(sizes)),
      gradients_(common::ZerosLike(sizes)),
      outputs_(sizes.size() - 1),
      deltas_(sizes.size() - 1) {
  if (backend.make_fused_dense == nullptr) return;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) fused_.push_back(backend.make_fused_dense());
  LoadFused();
}

void Network::SetParameters(const common::Parameters& parameters) {
  parameters_ = parameters;
  LoadFused();
}

void Network::LoadFused() {
  if (fused_.empty()) return;
  PROFILE_SCOPE("load fused weights");
  for (size_t l = 0; l < fused_.size(); ++l) {
    fused_[l]->Load(parameters_.layers[l], /*relu=*/l + 1 < fused_.size());
  }
}

common::Parameters Network::GetParameters() const { return parameters_; }

common::Parameters Network::GetGradients() const { return gradients_; }

void Network::ForwardBatch(const float* inputs, int batch) {
  const float* in = inputs;
  for (size_t l = 0; l < parameters_.layers.size(); ++l) {
    const common::Layer& layer = parameters_.layers[l];
    std::vector<float>& out = outputs_[l];
    out.resize(static_cast<size_t>(batch) * layer.outputs);
    if (!fused_.empty()) {  // the library's one call: GEMM, bias and ReLU
      PROFILE_SCOPE("fused forward", l + 1);
      fused_[l]->Forward(in, batch, out.data());
      in = out.data();
      continue;
    }
    {
      PROFILE_SCOPE("forward GEMM", l + 1);
      // out[batch][outputs] = in[batch][inputs] · weights[inputs][outputs]
      backend_.gemm(Transpose::kNo, Transpose::kNo, batch, layer.outputs, layer.inputs, in,
                    layer.inputs, layer.weights.data(), layer.outputs, 0.0f, out.data(),
                    layer.outputs);
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
  return Step(inputs, labels, batch, logits, std::nullopt);
}

double Network::TrainStep(const float* inputs, const uint8_t* labels, int batch, float* logits,
                          float learning_rate) {
  const double loss = Step(inputs, labels, batch, logits, learning_rate);
  LoadFused();
  return loss;
}

double Network::Step(const float* inputs, const uint8_t* labels, int batch, float* logits,
                     std::optional<float> learning_rate) {
  Forward(inputs, batch, logits);
  const int n_out = sizes_.back();
  std::vector<float>& delta_out = deltas_.back();
  delta_out.resize(static_cast<size_t>(batch) * n_out);
  double loss = 0;
  // Backpropagation is linear in the output's delta: scaled by -learning_rate, every layer's
  // weight-gradient product yields that layer's SGD step instead of its gradient.
  const float scale = (learning_rate ? -*learning_rate : 1.0f) / batch;
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
        delta[j] = (delta[j] / sum - (j == labels[s] ? 1.0f : 0.0f)) * scale;
      }
    }
  }
  // Backpropagation, last layer first: three matrix products per layer instead of per sample.
  for (size_t l = parameters_.layers.size(); l-- > 0;) {
    common::Layer& layer = parameters_.layers[l];
    const float* in = l == 0 ? inputs : outputs_[l - 1].data();
    const std::vector<float>& delta = deltas_[l];
    if (l > 0) {  // nothing to learn from the gradient of the image itself
      // previous delta[batch][inputs] = delta · weights^T, then through the ReLU. First, while
      // the weights are those the forward pass used.
      std::vector<float>& previous = deltas_[l - 1];
      previous.resize(static_cast<size_t>(batch) * layer.inputs);
      {
        PROFILE_SCOPE("input-gradient GEMM", l + 1);
        backend_.gemm(Transpose::kNo, Transpose::kYes, batch, layer.inputs, layer.outputs,
                      delta.data(), layer.outputs, layer.weights.data(), layer.outputs, 0.0f,
                      previous.data(), layer.inputs);
      }
      PROFILE_SCOPE("ReLU mask");
      for (size_t i = 0; i < previous.size(); ++i) {
        // ReLU passes no gradient where it output zero. A select, not a branch: the branch went
        // either way about half the time (a misprediction each time), while a select is one
        // compare-and-mask that the compiler runs on a whole vector at once.
        previous[i] = in[i] > 0 ? previous[i] : 0.0f;
      }
    }
    // The gradient, or, fused, the SGD step added to the parameters: the product adds to the
    // weights (beta = 1) instead of writing a gradient that ApplyGradients would read back with
    // them, one pass over the first layer's 400 KB of weights instead of three.
    common::Layer& target = learning_rate ? layer : gradients_.layers[l];
    const float beta = learning_rate ? 1.0f : 0.0f;
    if (!learning_rate) std::fill(target.bias.begin(), target.bias.end(), 0.0f);
    {
      PROFILE_SCOPE("weight-gradient GEMM", l + 1);
      // gradient[inputs][outputs] = in^T · delta (or weights += it), summed over the batch
      backend_.gemm(Transpose::kYes, Transpose::kNo, layer.inputs, layer.outputs, batch, in,
                    layer.inputs, delta.data(), layer.outputs, beta, target.weights.data(),
                    layer.outputs);
    }
    PROFILE_SCOPE("bias gradient");
    for (int s = 0; s < batch; ++s) {
      for (int j = 0; j < layer.outputs; ++j) target.bias[j] += delta[s * layer.outputs + j];
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
  LoadFused();
}

common::Engine Network::Describe() const {
  common::Engine engine;
  engine.gemm = backend_.name;
  engine.details = backend_.details();
  return engine;
}

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(
    const common::NetworkOptions& options) {
  if (options.threads > 1) {
    return absl::InvalidArgumentError(absl::StrCat("--threads=", options.threads,
                                                   ": stage4_blas runs on one thread; all cores "
                                                   "are stage5_threads' idea"));
  }
  // Our kernel may be named by the environment (gemm.h): a name this CPU lacks is an error here.
  absl::StatusOr<const Kernel*> kernel = ChosenKernel();
  if (!kernel.ok()) return kernel.status();
  absl::StatusOr<const Backend*> backend = FindBackend(options.gemm);
  if (!backend.ok()) return backend.status();
  return std::make_unique<Network>(options.sizes, **backend);
}

}  // namespace stage4
