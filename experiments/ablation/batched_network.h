#ifndef EXPERIMENTS_ABLATION_BATCHED_NETWORK_H_
#define EXPERIMENTS_ABLATION_BATCHED_NETWORK_H_

// Stage 2's network (stage2_float/network.cc): the whole batch through each layer as one matrix
// product, in one contiguous buffer per matrix, with the element type T and the loop order of
// the products switchable. With <float, Loops::kIkj> it is stage 2 line for line, less its
// profiling timers.

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "common/gemm.h"
#include "common/model.h"
#include "common/network.h"
#include "experiments/ablation/matrices.h"

namespace ablation {

using common::Transpose;

// op(x) as a rows x cols row-major matrix; x is stored rows x cols (kNo) or cols x rows (kYes).
template <typename T>
const T* RowMajor(Transpose transpose, const T* x, int rows, int cols, std::vector<T>& scratch) {
  if (transpose == Transpose::kNo) return x;
  scratch.resize(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) scratch[static_cast<size_t>(r) * cols + c] = x[c * rows + r];
  }
  return scratch.data();
}

// C = op(A) · op(B), all row-major and packed (C is m x n). Both orders first copy an operand
// stored the wrong way round, so that their inner loop always reads memory with stride 1.
template <typename T, Loops kLoops>
void Product(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const T* a,
             const T* b, T* c) {
  thread_local std::vector<T> scratch_a, scratch_b;
  a = RowMajor(transpose_a, a, m, k, scratch_a);  // op(A): m rows of k
  if constexpr (kLoops == Loops::kDot) {
    // The textbook's c_ij = sum_p a_ip b_pj, reading op(B) by columns: rows of op(B)^T.
    const Transpose flip = transpose_b == Transpose::kNo ? Transpose::kYes : Transpose::kNo;
    const T* bt = RowMajor(flip, b, n, k, scratch_b);  // op(B)^T: n rows of k
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        T sum = 0;
        for (int p = 0; p < k; ++p) sum += a[i * k + p] * bt[j * k + p];
        c[i * n + j] = sum;
      }
    }
  } else {
    // Stage 2's gemm.cc: row i of C accumulates row p of op(B) scaled by a_ip.
    b = RowMajor(transpose_b, b, k, n, scratch_b);  // op(B): k rows of n
    for (int i = 0; i < m; ++i) {
      T* __restrict c_row = c + i * n;
      for (int j = 0; j < n; ++j) c_row[j] = 0;
      for (int p = 0; p < k; ++p) {
        const T a_ip = a[i * k + p];
        const T* __restrict b_row = b + p * n;
        for (int j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
      }
    }
  }
}

template <typename T, Loops kLoops>
class BatchedNetwork : public common::Network {
 public:
  explicit BatchedNetwork(const std::vector<int>& sizes)
      : sizes_(sizes), outputs_(sizes.size() - 1), deltas_(sizes.size() - 1) {
    for (size_t l = 0; l + 1 < sizes.size(); ++l) {
      // [inputs][outputs], as common::Layer
      weights_.emplace_back(static_cast<size_t>(sizes[l]) * sizes[l + 1], T(0));
      biases_.emplace_back(sizes[l + 1], T(0));
    }
    weight_gradients_ = weights_;
    bias_gradients_ = biases_;
  }

  void SetParameters(const common::Parameters& parameters) override {
    for (size_t l = 0; l < weights_.size(); ++l) {
      const common::Layer& layer = parameters.layers[l];
      std::copy(layer.weights.begin(), layer.weights.end(), weights_[l].begin());
      std::copy(layer.bias.begin(), layer.bias.end(), biases_[l].begin());
    }
  }

  common::Parameters GetParameters() const override { return Export(weights_, biases_); }
  common::Parameters GetGradients() const override {
    return Export(weight_gradients_, bias_gradients_);
  }

  void Forward(const float* inputs, int batch, float* logits) override {
    ForwardBatch(Input(inputs, batch), batch);
    std::copy(outputs_.back().begin(), outputs_.back().end(), logits);
  }

  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override {
    const T* x = Input(inputs, batch);
    ForwardBatch(x, batch);
    std::copy(outputs_.back().begin(), outputs_.back().end(), logits);
    const int n_out = sizes_.back();
    const std::vector<T>& z_out = outputs_.back();
    std::vector<T>& delta_out = deltas_.back();
    delta_out.resize(static_cast<size_t>(batch) * n_out);
    double loss = 0;
    for (int s = 0; s < batch; ++s) {
      const T* z = &z_out[s * n_out];
      T* delta = &delta_out[s * n_out];
      const T max_z = *std::max_element(z, z + n_out);
      T sum = 0;
      for (int j = 0; j < n_out; ++j) sum += delta[j] = std::exp(z[j] - max_z);
      loss += max_z + std::log(sum) - z[labels[s]];
      for (int j = 0; j < n_out; ++j) {
        delta[j] = (delta[j] / sum - (j == labels[s] ? 1 : 0)) / batch;
      }
    }
    for (size_t l = weights_.size(); l-- > 0;) {
      const int n_in = sizes_[l], n = sizes_[l + 1];
      const T* in = l == 0 ? x : outputs_[l - 1].data();
      const std::vector<T>& delta = deltas_[l];
      // weight gradient[inputs][outputs] = in^T · delta
      Product<T, kLoops>(Transpose::kYes, Transpose::kNo, n_in, n, batch, in, delta.data(),
                         weight_gradients_[l].data());
      std::fill(bias_gradients_[l].begin(), bias_gradients_[l].end(), T(0));
      for (int s = 0; s < batch; ++s) {
        for (int j = 0; j < n; ++j) bias_gradients_[l][j] += delta[s * n + j];
      }
      if (l == 0) break;
      // previous delta[batch][inputs] = delta · weights^T, then through the ReLU
      std::vector<T>& previous = deltas_[l - 1];
      previous.resize(static_cast<size_t>(batch) * n_in);
      Product<T, kLoops>(Transpose::kNo, Transpose::kYes, batch, n_in, n, delta.data(),
                         weights_[l].data(), previous.data());
      for (size_t i = 0; i < previous.size(); ++i) {
        if (in[i] <= 0) previous[i] = 0;
      }
    }
    return loss / batch;
  }

  void ApplyGradients(float learning_rate) override {
    for (size_t l = 0; l < weights_.size(); ++l) {
      for (size_t i = 0; i < weights_[l].size(); ++i) {
        weights_[l][i] -= learning_rate * weight_gradients_[l][i];
      }
      for (size_t j = 0; j < biases_[l].size(); ++j) {
        biases_[l][j] -= learning_rate * bias_gradients_[l][j];
      }
    }
  }

 private:
  // Stage 2 reads the float pixels in place; a double network needs them as doubles.
  const T* Input(const float* inputs, int batch) {
    if constexpr (std::is_same_v<T, float>) {
      return inputs;
    } else {
      input_.assign(inputs, inputs + static_cast<size_t>(batch) * sizes_[0]);
      return input_.data();
    }
  }

  void ForwardBatch(const T* in, int batch) {
    for (size_t l = 0; l < weights_.size(); ++l) {
      const int n_in = sizes_[l], n = sizes_[l + 1];
      std::vector<T>& out = outputs_[l];
      out.resize(static_cast<size_t>(batch) * n);
      Product<T, kLoops>(Transpose::kNo, Transpose::kNo, batch, n, n_in, in, weights_[l].data(),
                         out.data());
      const bool hidden = l + 1 < weights_.size();
      for (int s = 0; s < batch; ++s) {
        T* row = &out[static_cast<size_t>(s) * n];
        for (int j = 0; j < n; ++j) {
          const T z = row[j] + biases_[l][j];
          row[j] = hidden ? std::max(T(0), z) : z;
        }
      }
      in = out.data();
    }
  }

  common::Parameters Export(const std::vector<std::vector<T>>& weights,
                            const std::vector<std::vector<T>>& biases) const {
    common::Parameters parameters = common::ZerosLike(sizes_);
    for (size_t l = 0; l < weights.size(); ++l) {
      common::Layer& layer = parameters.layers[l];
      std::copy(weights[l].begin(), weights[l].end(), layer.weights.begin());
      std::copy(biases[l].begin(), biases[l].end(), layer.bias.begin());
    }
    return parameters;
  }

  std::vector<int> sizes_;
  // One buffer per matrix: weights row-major [inputs][outputs], activations [batch][width].
  std::vector<std::vector<T>> weights_, weight_gradients_, biases_, bias_gradients_;
  std::vector<T> input_;  // the batch as doubles, when T is double
  std::vector<std::vector<T>> outputs_, deltas_;
};

}  // namespace ablation

#endif  // EXPERIMENTS_ABLATION_BATCHED_NETWORK_H_
