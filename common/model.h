#ifndef COMMON_MODEL_H_
#define COMMON_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace common {

inline constexpr int kImagePixels = 28 * 28;
inline constexpr int kClasses = 10;

// Storage for the model's matrices and vectors, starting on a cache line (64 bytes): a row of 16
// floats is then exactly one line, and threads that write neighbouring blocks of 16 columns
// (stage 5) never write to the same line, which would bounce it between their caches.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const CacheLineAllocator&) const { return true; }
  bool operator!=(const CacheLineAllocator&) const { return false; }
};
using Floats = std::vector<float, CacheLineAllocator<float>>;

// One fully connected layer: outputs = ReLU?(inputs · weights + bias).
// `weights` is row-major [inputs][outputs], so a whole batch goes through as one matrix product
// X[batch][inputs] · W[inputs][outputs]. Stages may keep their own layout inside.
struct Layer {
  int inputs = 0;
  int outputs = 0;
  Floats weights;  // inputs * outputs
  Floats bias;     // outputs
};

// All layers of the perceptron, input to output. The same type carries gradients.
struct Parameters {
  std::vector<Layer> layers;
};

// Layer widths from input to output, e.g. {784, 128, 10}.
std::vector<int> LayerSizes(const std::vector<int>& hidden);

// He initialization (normal, stddev sqrt(2 / inputs)), zero biases, from common::Rng(seed).
// Every stage starts from exactly these numbers.
Parameters InitParameters(const std::vector<int>& sizes, uint64_t seed);

// Zero-filled parameters of the same shape, e.g. for gradients.
Parameters ZerosLike(const std::vector<int>& sizes);

// Floating-point operations of one training sample: the three matrix products per layer
// (forward, weight gradient, input gradient; the first layer needs no input gradient), two
// operations per multiply-add. Bias, ReLU and softmax are left out: they are O(width), not
// O(width^2), and counting them would make the figure depend on how each stage writes them.
double TrainingFlopsPerSample(const std::vector<int>& sizes);

// Floating-point operations of one forward pass of one sample (the evaluation cost).
double ForwardFlopsPerSample(const std::vector<int>& sizes);

}  // namespace common

#endif  // COMMON_MODEL_H_
