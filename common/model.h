#ifndef COMMON_MODEL_H_
#define COMMON_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace common {

inline constexpr int kImagePixels = 28 * 28;
inline constexpr int kClasses = 10;

// Storage that starts on a multiple of kAlign bytes.
template <typename T, std::size_t kAlign>
struct AlignedAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = AlignedAllocator<U, kAlign>;
  };
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U, kAlign>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kAlign}));
  }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{kAlign}); }
  bool operator==(const AlignedAllocator&) const { return true; }
  bool operator!=(const AlignedAllocator&) const { return false; }
};

// The model's matrices and vectors start on a cache line (64 bytes): a row of 16 floats is then
// exactly one line, and threads that write neighbouring blocks of 16 columns (stage 5) never
// write to the same line, which would bounce it between their caches.
using Floats = std::vector<float, AlignedAllocator<float, 64>>;
// Floats that start on a 4 KiB page: stage 5 gives each thread pages of its own.
using PageFloats = std::vector<float, AlignedAllocator<float, 4096>>;

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
