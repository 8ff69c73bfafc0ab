#ifndef STAGE5_THREADS_NETWORK_H_
#define STAGE5_THREADS_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"
#include "stage5_threads/thread_pool.h"

namespace stage5 {

// A float buffer that starts on a cache line, so that threads writing neighbouring slices of a
// matrix (whole multiples of 16 floats) never write to the same line.
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
using Buffer = std::vector<float, CacheLineAllocator<float>>;

// The perceptron on every core. Each thread owns a slice of the hidden units: its columns of
// every hidden layer's weights, with their products, gradients and SGD update, so no gradient
// is ever summed across threads. Threads meet at a barrier only where a layer needs what all of
// them computed: once per step for one hidden layer (to add up the output layer's partial
// logits), plus once per extra hidden layer each way.
class Network : public common::Network {
 public:
  Network(const std::vector<int>& sizes, int threads);

  void SetParameters(const common::Parameters& parameters) override;
  common::Parameters GetParameters() const override;
  void Forward(const float* inputs, int batch, float* logits) override;
  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override;
  common::Parameters GetGradients() const override;
  void ApplyGradients(float learning_rate) override;
  common::Engine Describe() const override;

 private:
  struct Layer {
    int inputs, outputs;
    Buffer weights, bias;                   // row-major [inputs][outputs], [outputs]
    Buffer weight_gradient, bias_gradient;  // the same shapes
  };
  // Columns [begin, end) of hidden layer l that `thread` owns.
  int Begin(int l, int thread) const;
  int End(int l, int thread) const { return Begin(l, thread + 1); }
  void Resize(int batch);
  // The SGD step ApplyGradients deferred, on the thread's own parameters (see ApplyGradients).
  void UpdateOwnSlice(int thread);
  // Forward pass of `thread`'s slice; with `labels`, also the loss and backward pass.
  void Step(int thread, const float* inputs, const uint8_t* labels, int batch, float* logits);

  std::vector<int> sizes_;
  int classes_;
  ThreadPool pool_;
  std::vector<Layer> layers_;
  std::vector<Buffer> outputs_, deltas_;  // [batch][outputs of layer l]
  // Per thread: its partial logits (its hidden units' share), the output layer's gradient (the
  // same on every thread: each computes it rather than wait for one), and its loss.
  std::vector<Buffer> partial_logits_, output_delta_;
  std::vector<double> loss_;
  float pending_learning_rate_ = 0;  // 0: no step pending
};

absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage5

#endif  // STAGE5_THREADS_NETWORK_H_
