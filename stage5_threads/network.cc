#include "stage5_threads/network.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/profile.h"
#include "stage5_threads/gemm.h"

namespace stage5 {
namespace {

constexpr int kLine = 16;    // floats per cache line
constexpr int kPage = 1024;  // floats per 4 KiB page

}  // namespace

Network::Network(const std::vector<int>& sizes, const Backend& backend, int threads)
    : sizes_(sizes),
      backend_(backend),
      threads_(threads),
      panel_(backend.panel_width != nullptr ? backend.panel_width() : 0),
      pool_(backend.set_threads == nullptr ? threads : 1),
      parameters_(common::ZerosLike(sizes)),
      gradients_(common::ZerosLike(sizes)),
      outputs_(sizes.size() - 2),
      deltas_(sizes.size() - 2),
      block_start_(sizes.size() - 2),
      partial_logits_(pool_.size()),
      loss_(pool_.size()) {
  if (backend.make_fused_dense == nullptr) return;
  for (size_t l = 0; l + 2 < sizes.size(); ++l) fused_.push_back(backend.make_fused_dense());
  LoadFused();
}

int Network::Begin(size_t l, int thread) const {
  const int width = sizes_[l + 1];
  const int unit = std::max(kLine, panel_);  // panels are 8, 16 or 32 floats wide
  const int units = (width + unit - 1) / unit;
  const int per_thread = (units + pool_.size() - 1) / pool_.size();
  return std::min(width, thread * per_thread * unit);
}

float* Network::Rows(std::vector<common::PageFloats>& buffers, size_t l, int thread) {
  return buffers[l].data() + block_start_[l][thread];
}

template <typename F>
void Network::ForInputBlocks(size_t l, const float* inputs, F f) {
  if (l == 0) {
    f(inputs, sizes_[0], 0, sizes_[0]);
    return;
  }
  for (int u = 0; u < pool_.size(); ++u) {
    const int first = Begin(l - 1, u), count = End(l - 1, u) - first;
    if (count > 0) f(Rows(outputs_, l - 1, u), count, first, count);
  }
}

template <typename F>
void Network::ForPanels(size_t l, int thread, F f) const {
  const int begin = Begin(l, thread), end = End(l, thread);
  const int step = panel_ > 0 ? panel_ : end - begin;
  for (int c = begin; c < end; c += step) f(c, std::min(step, end - c));
}

void Network::Relayout(common::Parameters* p, bool to_panels) const {
  for (size_t l = 0; l + 1 < p->layers.size(); ++l) {
    common::Layer& layer = p->layers[l];
    common::Floats relaid(layer.weights.size());
    for (int t = 0; t < pool_.size(); ++t) {
      ForPanels(l, t, [&](int c, int width) {
        for (int i = 0; i < layer.inputs; ++i) {
          const size_t in_panel = static_cast<size_t>(layer.inputs) * c + i * width;
          const size_t in_row = static_cast<size_t>(i) * layer.outputs + c;
          if (to_panels) {
            std::copy_n(&layer.weights[in_row], width, &relaid[in_panel]);
          } else {
            std::copy_n(&layer.weights[in_panel], width, &relaid[in_row]);
          }
        }
      });
    }
    layer.weights = std::move(relaid);
  }
}

void Network::SetParameters(const common::Parameters& parameters) {
  parameters_ = parameters;
  Relayout(&parameters_, /*to_panels=*/true);
  LoadFused();
}

void Network::LoadFused() {
  if (fused_.empty()) return;
  PROFILE_SCOPE("load fused weights");
  for (size_t l = 0; l < fused_.size(); ++l) fused_[l]->Load(parameters_.layers[l], /*relu=*/true);
}

common::Parameters Network::GetParameters() const {
  common::Parameters p = parameters_;
  Relayout(&p, /*to_panels=*/false);
  return p;
}

common::Parameters Network::GetGradients() const {
  common::Parameters g = gradients_;
  Relayout(&g, /*to_panels=*/false);
  return g;
}

void Network::ApplyGradients(float learning_rate) {
  pool_.Run([&](int t) { UpdateOwnSlice(t, learning_rate); });
  LoadFused();
}

void Network::UpdateOwnSlice(int t, float rate) {
  PROFILE_SCOPE("SGD update");
  const size_t hidden = parameters_.layers.size() - 1;
  for (size_t l = 0; l <= hidden; ++l) {
    common::Layer& layer = parameters_.layers[l];
    const common::Layer& gradient = gradients_.layers[l];
    if (l < hidden) {  // own block of a hidden layer
      const int begin = Begin(l, t), end = End(l, t);
      const size_t size = static_cast<size_t>(layer.inputs) * (end - begin);
      float* w = Block(layer.weights, l, t);
      const float* g = Block(gradient.weights, l, t);
      for (size_t i = 0; i < size; ++i) w[i] -= rate * g[i];
      for (int j = begin; j < end; ++j) layer.bias[j] -= rate * gradient.bias[j];
      continue;
    }
    // The output layer: the rows of this thread's units of the last hidden layer.
    const size_t first = static_cast<size_t>(Begin(l - 1, t)) * layer.outputs;
    const size_t last = static_cast<size_t>(End(l - 1, t)) * layer.outputs;
    for (size_t i = first; i < last; ++i) layer.weights[i] -= rate * gradient.weights[i];
    if (t == 0) {
      for (int j = 0; j < layer.outputs; ++j) layer.bias[j] -= rate * gradient.bias[j];
    }
  }
}

void Network::ForRows(int rows, absl::FunctionRef<void(int begin, int end)> work) {
  pool_.Run([&](int t) {
    const int begin = rows * t / pool_.size(), end = rows * (t + 1) / pool_.size();
    if (begin < end) work(begin, end);
  });
}

void Network::Resize(int batch) {
  for (size_t l = 0; l < outputs_.size(); ++l) {
    std::vector<size_t>& start = block_start_[l];
    start.assign(pool_.size(), 0);
    size_t size = 0;
    for (int t = 0; t < pool_.size(); ++t) {
      start[t] = size;
      const size_t floats = static_cast<size_t>(batch) * (End(l, t) - Begin(l, t));
      size += (floats + kPage - 1) / kPage * kPage;
    }
    outputs_[l].resize(size);
    deltas_[l].resize(size);
  }
  for (int t = 0; t < pool_.size(); ++t) {
    partial_logits_[t].resize(static_cast<size_t>(batch) * sizes_.back());
  }
  output_delta_.resize(static_cast<size_t>(batch) * sizes_.back());
}

void Network::Forward(const float* inputs, int batch, float* logits) {
  Resize(batch);
  pool_.Run([&](int t) { Step(t, inputs, nullptr, batch, logits, std::nullopt); });
}

double Network::Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) {
  Resize(batch);
  pool_.Run([&](int t) { Step(t, inputs, labels, batch, logits, std::nullopt); });
  return std::accumulate(loss_.begin(), loss_.end(), 0.0);
}

double Network::TrainStep(const float* inputs, const uint8_t* labels, int batch, float* logits,
                          float learning_rate) {
  Resize(batch);
  pool_.Run([&](int t) { Step(t, inputs, labels, batch, logits, learning_rate); });
  LoadFused();
  return std::accumulate(loss_.begin(), loss_.end(), 0.0);
}

void Network::Step(int t, const float* inputs, const uint8_t* labels, int batch, float* logits,
                   std::optional<float> learning_rate) {
  // Only thread 0 times its parts (the GEMM's packing included): the others do the same work at
  // the same time. What it waits for them shows as "waiting at barriers".
  common::CountProfileOnThisThread(t == 0);
  const size_t hidden = parameters_.layers.size() - 1;

  // Forward: each hidden layer's own columns, with bias and ReLU, into the thread's own block.
  for (size_t l = 0; l < hidden; ++l) {
    const common::Layer& layer = parameters_.layers[l];
    float* out = Rows(outputs_, l, t);
    const int begin = Begin(l, t), own = End(l, t) - begin;
    if (!fused_.empty()) {  // the library's one call: GEMM, bias and ReLU (one thread, one block)
      PROFILE_SCOPE("fused forward", l + 1);
      fused_[l]->Forward(l == 0 ? inputs : Rows(outputs_, l - 1, 0), batch, out);
    } else {
      {
        PROFILE_SCOPE("forward GEMM", l + 1);
        // out[batch][own columns] = in[batch][inputs] · own block[inputs][own columns], a panel
        // at a time; a hidden layer below is read block by block, each with its rows of the panel
        ForPanels(l, t, [&](int c, int width) {
          float beta = 0.0f;
          ForInputBlocks(l, inputs, [&](const float* in, int ld_in, int first, int count) {
            backend_.gemm(Transpose::kNo, Transpose::kNo, batch, width, count, in, ld_in,
                          Panel(layer.weights, l, c) + static_cast<size_t>(first) * width, width,
                          beta, out + (c - begin), own);
            beta = 1.0f;
          });
        });
      }
      PROFILE_SCOPE("bias + ReLU");
      for (int s = 0; s < batch; ++s) {
        float* row = out + static_cast<size_t>(s) * own;
        for (int j = 0; j < own; ++j) row[j] = std::max(0.0f, row[j] + layer.bias[begin + j]);
      }
    }
    if (l + 1 < hidden) pool_.Barrier();  // the next layer reads every column
  }

  // The output layer: this thread's hidden units' share of the logits, added up after a barrier.
  common::Layer& last = parameters_.layers[hidden];
  const int n_out = last.outputs;
  const int begin = Begin(hidden - 1, t), own = End(hidden - 1, t) - begin;
  const float* in = Rows(outputs_, hidden - 1, t);
  const int ld_own = std::max(1, own);  // an idle thread's block is empty, but ld must be >= 1
  {
    PROFILE_SCOPE("forward GEMM", hidden + 1);
    backend_.gemm(Transpose::kNo, Transpose::kNo, batch, n_out, own, in, ld_own,
                  last.weights.data() + static_cast<size_t>(begin) * n_out, n_out, 0.0f,
                  partial_logits_[t].data(), n_out);
    // Thread 0 adds the bias to its share, so that after the barrier no thread reads the bias
    // that thread 0 then updates.
    if (t == 0) {
      for (int s = 0; s < batch; ++s) {
        for (int j = 0; j < n_out; ++j) partial_logits_[0][s * n_out + j] += last.bias[j];
      }
    }
  }
  pool_.Barrier();
  // The softmax of this thread's rows of the batch (at batch 64 on 2 threads, whole cache lines
  // of the shared delta), then a second barrier: every thread's products need all the rows.
  float* const delta_out = output_delta_.data();
  double loss = 0;
  // Backpropagation is linear in the output's delta: scaled by -learning_rate, every layer's
  // weight-gradient product yields that layer's SGD step instead of its gradient.
  const float scale = (learning_rate ? -*learning_rate : 1.0f) / batch;
  {
    PROFILE_SCOPE("softmax + loss");
    const int first = batch * t / pool_.size(), last = batch * (t + 1) / pool_.size();
    for (int s = first; s < last; ++s) {
      float* z = delta_out + s * n_out;
      for (int j = 0; j < n_out; ++j) {
        z[j] = 0.0f;
        for (int u = 0; u < pool_.size(); ++u) z[j] += partial_logits_[u][s * n_out + j];
      }
      std::copy(z, z + n_out, logits + s * n_out);
      if (labels == nullptr) continue;
      // Softmax cross-entropy, shifted by the largest logit so exp() cannot overflow.
      const float max_z = *std::max_element(z, z + n_out);
      const float label_z = z[labels[s]];
      float sum = 0;
      for (int j = 0; j < n_out; ++j) sum += z[j] = std::exp(z[j] - max_z);
      loss += max_z + std::log(sum) - label_z;
      // dLoss/dz = softmax - one_hot, divided by the batch because the loss is a batch mean.
      for (int j = 0; j < n_out; ++j) {
        z[j] = (z[j] / sum - (j == labels[s] ? 1.0f : 0.0f)) * scale;
      }
    }
  }
  if (labels == nullptr) return;
  loss_[t] = loss / batch;  // this thread's rows' share; the caller adds them up
  pool_.Barrier();

  // Backpropagation, last layer first: the output layer's rows of this thread's hidden units,
  // then each hidden layer's own columns. Each layer's gradient, or, fused, its SGD step added
  // to the parameters (beta = 1): the products write no gradient for ApplyGradients to read
  // back with the weights, one pass over the first layer's 400 KB of weights instead of three.
  const float beta = learning_rate ? 1.0f : 0.0f;
  auto target = [&](size_t l) -> common::Layer& {
    return learning_rate ? parameters_.layers[l] : gradients_.layers[l];
  };
  {
    PROFILE_SCOPE("input-gradient GEMM", hidden + 1);  // first, while the weights are unchanged
    backend_.gemm(Transpose::kNo, Transpose::kYes, batch, own, n_out, delta_out, n_out,
                  last.weights.data() + static_cast<size_t>(begin) * n_out, n_out, 0.0f,
                  Rows(deltas_, hidden - 1, t), ld_own);
  }
  {
    PROFILE_SCOPE("weight-gradient GEMM", hidden + 1);
    backend_.gemm(Transpose::kYes, Transpose::kNo, own, n_out, batch, in, ld_own, delta_out, n_out,
                  beta, target(hidden).weights.data() + static_cast<size_t>(begin) * n_out, n_out);
  }
  if (t == 0) {
    PROFILE_SCOPE("bias gradient");
    common::Floats& bias = target(hidden).bias;
    if (!learning_rate) std::fill(bias.begin(), bias.end(), 0.0f);
    for (int s = 0; s < batch; ++s) {
      for (int j = 0; j < n_out; ++j) bias[j] += delta_out[s * n_out + j];
    }
  }
  for (size_t l = hidden; l-- > 0;) {
    const common::Layer& layer = parameters_.layers[l];
    const int own_begin = Begin(l, t), own = End(l, t) - own_begin;
    const float* out = Rows(outputs_, l, t);
    float* delta = Rows(deltas_, l, t);
    {
      PROFILE_SCOPE("ReLU mask");
      for (size_t i = 0; i < static_cast<size_t>(batch) * own; ++i) {
        delta[i] = out[i] > 0 ? delta[i] : 0.0f;
      }
    }
    if (l > 0) {  // nothing to learn from the gradient of the image itself
      // The layer below needs every column of this delta.
      pool_.Barrier();
      const int below_begin = Begin(l - 1, t), below = End(l - 1, t) - below_begin;
      {
        PROFILE_SCOPE("input-gradient GEMM", l + 1);
        // own columns of the delta below = delta · (own rows of the weights)^T, summed over the
        // panels, since each holds some of the columns of those rows
        float panel_beta = 0.0f;
        for (int u = 0; u < pool_.size(); ++u) {
          const int u_begin = Begin(l, u), u_own = End(l, u) - u_begin;
          ForPanels(l, u, [&](int c, int width) {
            backend_.gemm(Transpose::kNo, Transpose::kYes, batch, below, width,
                          Rows(deltas_, l, u) + (c - u_begin), u_own,
                          Panel(layer.weights, l, c) + static_cast<size_t>(below_begin) * width,
                          width, panel_beta, Rows(deltas_, l - 1, t), std::max(1, below));
            panel_beta = 1.0f;
          });
        }
      }
      if (learning_rate) {
        pool_.Barrier();  // every thread has read this layer's weights; now each updates its own
      }
    }
    {
      PROFILE_SCOPE("weight-gradient GEMM", l + 1);
      // each panel of the own block of the gradient = in^T · its columns of delta (fused: each
      // panel of the own block of the weights += that), its rows from each block of the input
      ForPanels(l, t, [&](int c, int width) {
        ForInputBlocks(l, inputs, [&](const float* in, int ld_in, int first, int count) {
          backend_.gemm(Transpose::kYes, Transpose::kNo, count, width, batch, in, ld_in,
                        delta + (c - own_begin), own, beta,
                        Panel(target(l).weights, l, c) + static_cast<size_t>(first) * width, width);
        });
      });
    }
    PROFILE_SCOPE("bias gradient");
    common::Floats& bias = target(l).bias;
    if (!learning_rate) std::fill(bias.begin() + own_begin, bias.begin() + own_begin + own, 0.0f);
    for (int s = 0; s < batch; ++s) {
      const float* row = delta + static_cast<size_t>(s) * own;
      for (int j = 0; j < own; ++j) bias[own_begin + j] += row[j];
    }
  }
}

common::Engine Network::Describe() const {
  common::Engine engine;
  engine.gemm = backend_.name;
  engine.threads = threads_;
  engine.details = backend_.details();
  // More threads than slices of hidden units: say so, rather than let the extra ones look busy.
  int busy = 0;
  for (int t = 0; t < pool_.size(); ++t) busy += Begin(0, t) < End(0, t);
  if (busy < pool_.size()) {
    absl::StrAppend(&engine.details, ", only ", busy, " of ", pool_.size(),
                    " threads have hidden units to work on");
  }
  return engine;
}

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(
    const common::NetworkOptions& options) {
  if (options.sizes.size() < 3) {
    return absl::InvalidArgumentError(
        "stage5_threads splits the hidden units between threads: give --hidden at least one "
        "width");
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // Our kernel may be named by the environment (gemm.h): a name this CPU lacks is an error here.
  absl::StatusOr<const Kernel*> kernel = ChosenKernel();
  if (!kernel.ok()) return kernel.status();
  absl::StatusOr<const Backend*> backend = FindBackend(options.gemm, threads);
  if (!backend.ok()) return backend.status();
  return std::make_unique<Network>(options.sizes, **backend, threads);
}

}  // namespace stage5
