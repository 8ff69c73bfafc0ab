#include "stage5_threads/network.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/profile.h"
#include "stage3_simd/gemm.h"

namespace stage5 {
namespace {

using common::Transpose;
using stage3::Gemm;
constexpr Transpose kNo = Transpose::kNo, kYes = Transpose::kYes;
constexpr int kLine = 16;  // floats per cache line

// Only thread 0 times its parts (the others do the same work at the same time); the time it
// waits for the others shows as "waiting at barriers".
const char* Part(int thread, const char* name) { return thread == 0 ? name : nullptr; }

}  // namespace

Network::Network(const std::vector<int>& sizes, int threads)
    : sizes_(sizes), classes_(sizes.back()), pool_(threads) {
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    const size_t weights = static_cast<size_t>(sizes[l]) * sizes[l + 1];
    layers_.push_back({sizes[l], sizes[l + 1], Buffer(weights), Buffer(sizes[l + 1]),
                       Buffer(weights), Buffer(sizes[l + 1])});
  }
  outputs_.resize(layers_.size());
  deltas_.resize(layers_.size());
  partial_logits_.resize(pool_.size());
  output_delta_.resize(pool_.size());
  loss_.resize(pool_.size());
}

int Network::Begin(int l, int thread) const {
  // Whole cache lines per thread, as even as they come; the last thread takes the rest.
  const int width = sizes_[l + 1];
  const int lines = (width + kLine - 1) / kLine;
  const int per_thread = (lines + pool_.size() - 1) / pool_.size();
  return std::min(width, thread * per_thread * kLine);
}

void Network::SetParameters(const common::Parameters& parameters) {
  for (size_t l = 0; l < layers_.size(); ++l) {
    std::copy(parameters.layers[l].weights.begin(), parameters.layers[l].weights.end(),
              layers_[l].weights.begin());
    std::copy(parameters.layers[l].bias.begin(), parameters.layers[l].bias.end(),
              layers_[l].bias.begin());
  }
  pending_learning_rate_ = 0;
}

common::Parameters Network::GetParameters() const {
  // With the deferred SGD step applied to the copy, as if it had been taken.
  common::Parameters p = common::ZerosLike(sizes_);
  const float rate = pending_learning_rate_;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    for (size_t i = 0; i < layer.weights.size(); ++i) {
      p.layers[l].weights[i] = layer.weights[i] - rate * layer.weight_gradient[i];
    }
    for (size_t j = 0; j < layer.bias.size(); ++j) {
      p.layers[l].bias[j] = layer.bias[j] - rate * layer.bias_gradient[j];
    }
  }
  return p;
}

common::Parameters Network::GetGradients() const {
  common::Parameters g = common::ZerosLike(sizes_);
  for (size_t l = 0; l < layers_.size(); ++l) {
    std::copy(layers_[l].weight_gradient.begin(), layers_[l].weight_gradient.end(),
              g.layers[l].weights.begin());
    std::copy(layers_[l].bias_gradient.begin(), layers_[l].bias_gradient.end(),
              g.layers[l].bias.begin());
  }
  return g;
}

// The step is not taken here: waking the threads for it alone would cost a second parallel
// region per training step. Each thread takes it on its own slice at the start of the next
// Forward or Backward, which reads those parameters first anyway.
void Network::ApplyGradients(float learning_rate) { pending_learning_rate_ = learning_rate; }

void Network::UpdateOwnSlice(int thread) {
  PROFILE_SCOPE(Part(thread, "SGD update"));
  const float rate = pending_learning_rate_;
  const int hidden = static_cast<int>(layers_.size()) - 1;
  for (int l = 0; l < hidden; ++l) {  // own columns of each hidden layer, own rows of the next
    Layer& layer = layers_[l];
    const int begin = Begin(l, thread), end = End(l, thread);
    for (int i = 0; i < layer.inputs; ++i) {
      float* w = &layer.weights[static_cast<size_t>(i) * layer.outputs];
      const float* g = &layer.weight_gradient[static_cast<size_t>(i) * layer.outputs];
      for (int j = begin; j < end; ++j) w[j] -= rate * g[j];
    }
    for (int j = begin; j < end; ++j) layer.bias[j] -= rate * layer.bias_gradient[j];
  }
  Layer& last = layers_.back();  // rows of the output layer = own units of the last hidden one
  const size_t first = static_cast<size_t>(Begin(hidden - 1, thread)) * last.outputs;
  const size_t stop = static_cast<size_t>(End(hidden - 1, thread)) * last.outputs;
  for (size_t i = first; i < stop; ++i) last.weights[i] -= rate * last.weight_gradient[i];
  if (thread == 0) {
    for (int j = 0; j < last.outputs; ++j) last.bias[j] -= rate * last.bias_gradient[j];
  }
}

void Network::Resize(int batch) {
  for (size_t l = 0; l < layers_.size(); ++l) {
    outputs_[l].resize(static_cast<size_t>(batch) * layers_[l].outputs);
    deltas_[l].resize(static_cast<size_t>(batch) * layers_[l].outputs);
  }
  for (int t = 0; t < pool_.size(); ++t) {
    partial_logits_[t].resize(static_cast<size_t>(batch) * classes_);
    output_delta_[t].resize(static_cast<size_t>(batch) * classes_);
  }
}

void Network::Forward(const float* inputs, int batch, float* logits) {
  Resize(batch);
  pool_.Run([&](int t) { Step(t, inputs, nullptr, batch, logits); });
  pending_learning_rate_ = 0;
}

double Network::Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) {
  Resize(batch);
  pool_.Run([&](int t) { Step(t, inputs, labels, batch, logits); });
  pending_learning_rate_ = 0;
  return loss_[0];
}

void Network::Step(int t, const float* inputs, const uint8_t* labels, int batch, float* logits) {
  if (pending_learning_rate_ != 0) UpdateOwnSlice(t);
  const int hidden = static_cast<int>(layers_.size()) - 1;
  // Forward: each hidden layer's own columns, then this thread's share of the logits.
  const float* in = inputs;
  for (int l = 0; l < hidden; ++l) {
    const Layer& layer = layers_[l];
    const int begin = Begin(l, t), end = End(l, t);
    float* out = outputs_[l].data();
    {
      PROFILE_SCOPE(Part(t, "forward GEMM"), l + 1);
      Gemm(kNo, kNo, batch, end - begin, layer.inputs, in, layer.inputs,
           layer.weights.data() + begin, layer.outputs, 0.0f, out + begin, layer.outputs);
    }
    {
      PROFILE_SCOPE(Part(t, "bias + ReLU"));
      for (int s = 0; s < batch; ++s) {
        float* row = out + static_cast<size_t>(s) * layer.outputs;
        for (int j = begin; j < end; ++j) row[j] = std::max(0.0f, row[j] + layer.bias[j]);
      }
    }
    if (l + 1 < hidden) {
      PROFILE_SCOPE(Part(t, "waiting at barriers"));
      pool_.Barrier();  // the next layer reads every column
    }
    in = out;
  }
  Layer& last = layers_.back();
  const int begin = Begin(hidden - 1, t), end = End(hidden - 1, t);
  float* partial = partial_logits_[t].data();
  {
    PROFILE_SCOPE(Part(t, "forward GEMM"), hidden + 1);
    Gemm(kNo, kNo, batch, classes_, end - begin, in + begin, last.inputs,
         last.weights.data() + static_cast<size_t>(begin) * classes_, classes_, 0.0f, partial,
         classes_);
  }
  {
    PROFILE_SCOPE(Part(t, "waiting at barriers"));
    pool_.Barrier();  // every thread's partial logits are in
  }

  // Logits and softmax, on every thread (a few microseconds; cheaper than another barrier).
  float* delta_out = output_delta_[t].data();
  double loss = 0;
  {
    PROFILE_SCOPE(Part(t, "softmax + loss"));
    for (int s = 0; s < batch; ++s) {
      float* z = delta_out + s * classes_;
      for (int j = 0; j < classes_; ++j) {
        z[j] = last.bias[j];
        for (int u = 0; u < pool_.size(); ++u) z[j] += partial_logits_[u][s * classes_ + j];
      }
      if (t == 0) std::copy(z, z + classes_, logits + s * classes_);
      if (labels == nullptr) continue;
      // Softmax cross-entropy, shifted by the largest logit so exp() cannot overflow.
      const float max_z = *std::max_element(z, z + classes_);
      const float label_z = z[labels[s]];
      float sum = 0;
      for (int j = 0; j < classes_; ++j) sum += z[j] = std::exp(z[j] - max_z);
      loss += max_z + std::log(sum) - label_z;
      // dLoss/dz = softmax - one_hot, divided by the batch because the loss is a batch mean.
      for (int j = 0; j < classes_; ++j) {
        z[j] = (z[j] / sum - (j == labels[s] ? 1.0f : 0.0f)) / batch;
      }
    }
  }
  if (labels == nullptr) return;
  loss_[t] = loss / batch;

  // Backward: the output layer's rows for this thread's hidden units, then each hidden layer's
  // own columns.
  {
    PROFILE_SCOPE(Part(t, "weight-gradient GEMM"), hidden + 1);
    Gemm(kYes, kNo, end - begin, classes_, batch, in + begin, last.inputs, delta_out, classes_,
         0.0f, last.weight_gradient.data() + static_cast<size_t>(begin) * classes_, classes_);
  }
  if (t == 0) {
    Buffer& bias_gradient = last.bias_gradient;
    std::fill(bias_gradient.begin(), bias_gradient.end(), 0.0f);
    for (int s = 0; s < batch; ++s) {
      for (int j = 0; j < classes_; ++j) bias_gradient[j] += delta_out[s * classes_ + j];
    }
  }
  {
    PROFILE_SCOPE(Part(t, "input-gradient GEMM"), hidden + 1);
    Gemm(kNo, kYes, batch, end - begin, classes_, delta_out, classes_,
         last.weights.data() + static_cast<size_t>(begin) * classes_, classes_, 0.0f,
         deltas_[hidden - 1].data() + begin, last.inputs);
  }
  for (int l = hidden - 1; l >= 0; --l) {
    Layer& layer = layers_[l];
    const int b = Begin(l, t), e = End(l, t);
    const float* out = outputs_[l].data();
    float* delta = deltas_[l].data();
    {
      PROFILE_SCOPE(Part(t, "ReLU mask"));
      for (int s = 0; s < batch; ++s) {
        const size_t row = static_cast<size_t>(s) * layer.outputs;
        for (int j = b; j < e; ++j) delta[row + j] = out[row + j] > 0 ? delta[row + j] : 0.0f;
      }
    }
    const float* layer_in = l == 0 ? inputs : outputs_[l - 1].data();
    {
      PROFILE_SCOPE(Part(t, "weight-gradient GEMM"), l + 1);
      Gemm(kYes, kNo, layer.inputs, e - b, batch, layer_in, layer.inputs, delta + b, layer.outputs,
           0.0f, layer.weight_gradient.data() + b, layer.outputs);
    }
    {
      PROFILE_SCOPE(Part(t, "bias gradient"));
      for (int j = b; j < e; ++j) layer.bias_gradient[j] = 0.0f;
      for (int s = 0; s < batch; ++s) {
        const float* row = delta + static_cast<size_t>(s) * layer.outputs;
        for (int j = b; j < e; ++j) layer.bias_gradient[j] += row[j];
      }
    }
    if (l == 0) break;  // nothing to learn from the gradient of the image itself
    {
      PROFILE_SCOPE(Part(t, "waiting at barriers"));
      pool_.Barrier();  // the layer below needs every column of this delta
    }
    const int pb = Begin(l - 1, t), pe = End(l - 1, t);
    PROFILE_SCOPE(Part(t, "input-gradient GEMM"), l + 1);
    Gemm(kNo, kYes, batch, pe - pb, layer.outputs, delta, layer.outputs,
         layer.weights.data() + static_cast<size_t>(pb) * layer.outputs, layer.outputs, 0.0f,
         deltas_[l - 1].data() + pb, layer.inputs);
  }
}

common::Engine Network::Describe() const {
  const stage3::Kernel& kernel = stage3::DefaultKernel();
  common::Engine engine;
  engine.threads = pool_.size();
  engine.details = std::string("kernel ") + kernel.name + " " + std::to_string(kernel.mr) + "x" +
                   std::to_string(kernel.nr);
  return engine;
}

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(
    const common::NetworkOptions& options) {
  if (!options.gemm.empty() && options.gemm != "own") {
    return absl::InvalidArgumentError(absl::StrCat("--gemm=", options.gemm, ": unknown"));
  }
  const int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  return std::make_unique<Network>(options.sizes, std::max(1, threads));
}

}  // namespace stage5
