#ifndef EXPERIMENTS_ABLATION_PER_SAMPLE_NETWORK_H_
#define EXPERIMENTS_ABLATION_PER_SAMPLE_NETWORK_H_

// Stage 1's network (stage1_naive/network.cc), one sample at a time, with three of stage 2's
// changes made switchable: the element type T, the storage of a matrix, and the loop order.
// With <double, RowsMatrix, Loops::kDot> it is stage 1 line for line, less its profiling timers.

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/model.h"
#include "common/network.h"
#include "experiments/ablation/matrices.h"

namespace ablation {

template <typename T, template <typename> class Matrix, Loops kLoops>
class PerSampleNetwork : public common::Network {
 public:
  explicit PerSampleNetwork(const std::vector<int>& sizes) : sizes_(sizes) {
    for (size_t l = 0; l + 1 < sizes.size(); ++l) {
      // Dot products want a row per output (stage 1's w_ji); i-k-j wants a row per input.
      const bool rows_per_output = kLoops == Loops::kDot;
      weights_.push_back(rows_per_output ? Matrix<T>(sizes[l + 1], sizes[l])
                                         : Matrix<T>(sizes[l], sizes[l + 1]));
      biases_.push_back(Vector(sizes[l + 1], T(0)));
    }
    weight_gradients_ = weights_;
    bias_gradients_ = biases_;
  }

  void SetParameters(const common::Parameters& parameters) override {
    for (size_t l = 0; l < weights_.size(); ++l) {
      const common::Layer& layer = parameters.layers[l];
      for (int i = 0; i < layer.inputs; ++i) {
        for (int j = 0; j < layer.outputs; ++j) {
          Weight(weights_[l], i, j) = layer.weights[i * layer.outputs + j];
        }
      }
      for (int j = 0; j < layer.outputs; ++j) biases_[l][j] = layer.bias[j];
    }
  }

  common::Parameters GetParameters() const override { return Export(weights_, biases_); }
  common::Parameters GetGradients() const override {
    return Export(weight_gradients_, bias_gradients_);
  }

  void Forward(const float* inputs, int batch, float* logits) override {
    const int n_in = sizes_.front(), n_out = sizes_.back();
    for (int s = 0; s < batch; ++s) {
      const Vector out = ForwardSample(inputs + s * n_in).back();
      for (int j = 0; j < n_out; ++j) logits[s * n_out + j] = static_cast<float>(out[j]);
    }
  }

  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override {
    for (size_t l = 0; l < weights_.size(); ++l) {
      weight_gradients_[l].Fill(0);
      bias_gradients_[l].assign(bias_gradients_[l].size(), 0);
    }
    const int n_in = sizes_.front(), n_out = sizes_.back();
    double loss = 0;
    for (int s = 0; s < batch; ++s) {
      const std::vector<Vector> a = ForwardSample(inputs + s * n_in);
      const Vector& z = a.back();
      for (int j = 0; j < n_out; ++j) logits[s * n_out + j] = static_cast<float>(z[j]);

      T max_z = z[0];
      for (T v : z) max_z = std::max(max_z, v);
      T sum = 0;
      for (T v : z) sum += std::exp(v - max_z);
      loss += max_z + std::log(sum) - z[labels[s]];

      Vector delta(n_out);
      for (int j = 0; j < n_out; ++j) {
        delta[j] = (std::exp(z[j] - max_z) / sum - (j == labels[s] ? 1 : 0)) / batch;
      }
      for (size_t l = weights_.size(); l-- > 0;) {
        const Vector& in = a[l];
        Matrix<T>& gradient = weight_gradients_[l];
        if constexpr (kLoops == Loops::kDot) {
          for (size_t j = 0; j < delta.size(); ++j) {
            for (size_t i = 0; i < in.size(); ++i) gradient[j][i] += delta[j] * in[i];
            bias_gradients_[l][j] += delta[j];
          }
        } else {
          for (size_t i = 0; i < in.size(); ++i) {
            for (size_t j = 0; j < delta.size(); ++j) gradient[i][j] += in[i] * delta[j];
          }
          for (size_t j = 0; j < delta.size(); ++j) bias_gradients_[l][j] += delta[j];
        }
        if (l == 0) break;
        // The same loop in both orders: a column walk of W with stage 1's rows per output, a
        // stride-1 dot product with rows per input. Here it is the 128x10 layer, 0.6 % of the work.
        Vector previous(in.size(), T(0));
        for (size_t i = 0; i < in.size(); ++i) {
          if (in[i] <= 0) continue;
          for (size_t j = 0; j < delta.size(); ++j) {
            previous[i] += Weight(weights_[l], i, j) * delta[j];
          }
        }
        delta = previous;
      }
    }
    return loss / batch;
  }

  void ApplyGradients(float learning_rate) override {
    for (size_t l = 0; l < weights_.size(); ++l) {
      for (int r = 0; r < weights_[l].rows(); ++r) {
        for (int c = 0; c < weights_[l].cols(); ++c) {
          weights_[l][r][c] -= learning_rate * weight_gradients_[l][r][c];
        }
      }
      for (size_t j = 0; j < biases_[l].size(); ++j) {
        biases_[l][j] -= learning_rate * bias_gradients_[l][j];
      }
    }
  }

 private:
  using Vector = std::vector<T>;

  // The weight from input i to output j, wherever the loop order keeps it.
  static T& Weight(Matrix<T>& w, int i, int j) { return kLoops == Loops::kDot ? w[j][i] : w[i][j]; }
  static T Weight(const Matrix<T>& w, int i, int j) {
    return kLoops == Loops::kDot ? w[j][i] : w[i][j];
  }

  std::vector<Vector> ForwardSample(const float* image) const {
    std::vector<Vector> activations;
    activations.push_back(Vector(image, image + sizes_[0]));
    for (size_t l = 0; l < weights_.size(); ++l) {
      const Vector& in = activations.back();
      const Matrix<T>& w = weights_[l];
      const bool hidden = l + 1 < weights_.size();
      Vector out(sizes_[l + 1]);
      if constexpr (kLoops == Loops::kDot) {
        // Stage 1: z_j = b_j + sum_i w_ji a_i, one dot product per output.
        for (size_t j = 0; j < out.size(); ++j) {
          T z = biases_[l][j];
          for (size_t i = 0; i < in.size(); ++i) z += w[j][i] * in[i];
          out[j] = hidden ? std::max(T(0), z) : z;
        }
      } else {
        // z = b + sum_i a_i w_i: row i of W, scaled by a_i, added to all outputs at once.
        out = biases_[l];
        for (size_t i = 0; i < in.size(); ++i) {
          for (size_t j = 0; j < out.size(); ++j) out[j] += in[i] * w[i][j];
        }
        if (hidden) {
          for (T& z : out) z = std::max(T(0), z);
        }
      }
      activations.push_back(out);
    }
    return activations;
  }

  common::Parameters Export(const std::vector<Matrix<T>>& weights,
                            const std::vector<Vector>& biases) const {
    common::Parameters parameters = common::ZerosLike(sizes_);
    for (size_t l = 0; l < weights.size(); ++l) {
      common::Layer& layer = parameters.layers[l];
      for (int i = 0; i < layer.inputs; ++i) {
        for (int j = 0; j < layer.outputs; ++j) {
          layer.weights[i * layer.outputs + j] = static_cast<float>(Weight(weights[l], i, j));
        }
      }
      for (int j = 0; j < layer.outputs; ++j) layer.bias[j] = static_cast<float>(biases[l][j]);
    }
    return parameters;
  }

  std::vector<int> sizes_;
  std::vector<Matrix<T>> weights_, weight_gradients_;
  std::vector<Vector> biases_, bias_gradients_;
};

}  // namespace ablation

#endif  // EXPERIMENTS_ABLATION_PER_SAMPLE_NETWORK_H_
