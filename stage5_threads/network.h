#ifndef STAGE5_THREADS_NETWORK_H_
#define STAGE5_THREADS_NETWORK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network.h"
#include "stage5_threads/backends.h"
#include "stage5_threads/thread_pool.h"

namespace stage5 {

// Stage 4's perceptron on every core. With our own GEMM, the training step is split between the
// threads of a pool that lives across steps: each thread owns a slice of the hidden units (its
// columns of each hidden layer's weights, its rows of the next layer's), with their products,
// gradients and SGD update, so no gradient is ever summed across threads and no two threads
// write the same cache line. They meet at a barrier only where a layer needs what all of them
// computed: twice per step with one hidden layer (to add up the output layer's partial logits,
// then to share the output delta, each thread having computed the softmax of its rows of the
// batch), plus once each way per further hidden layer (and, in TrainStep, once more before its
// update).
// With a library, the step runs on one thread and each product on the library's own threads.
class Network : public common::Network {
 public:
  // `threads`: the pool's for "own", the library's for the others.
  Network(const std::vector<int>& sizes, const Backend& backend, int threads);

  void SetParameters(const common::Parameters& parameters) override;
  common::Parameters GetParameters() const override;
  void Forward(const float* inputs, int batch, float* logits) override;
  double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) override;
  common::Parameters GetGradients() const override;
  void ApplyGradients(float learning_rate) override;
  // Backward and ApplyGradients in one parallel region: the products add each layer's update
  // straight into its weights, where Backward writes a gradient for the SGD update to read back.
  double TrainStep(const float* inputs, const uint8_t* labels, int batch, float* logits,
                   float learning_rate) override;
  common::Engine Describe() const override;  // the backend, its threads and its kernels
  // The batch's rows split between the pool's threads (the trainer gathers the batch so).
  void ForRows(int rows, absl::FunctionRef<void(int begin, int end)> work) override;

 private:
  // Columns [Begin, End) of hidden layer l that `thread` owns: whole cache lines of 16 floats,
  // and whole panels.
  int Begin(size_t l, int thread) const;
  int End(size_t l, int thread) const { return Begin(l, thread + 1); }
  // A hidden layer's weights and gradients are kept as column panels: each thread's columns are
  // a block of their own, cut into panels of panel_ columns (the last one may be narrower). The
  // panel of columns [c, c + width) of every row is [inputs][width], at inputs * c.
  template <typename Buffer>
  auto Panel(Buffer& weights, size_t l, int column) const {
    return weights.data() + static_cast<size_t>(sizes_[l]) * column;
  }
  template <typename Buffer>
  auto Block(Buffer& weights, size_t l, int thread) const {
    return Panel(weights, l, Begin(l, thread));
  }
  // Calls f(c, width) for the panels of `thread`'s block of hidden layer l, in order.
  template <typename F>
  void ForPanels(size_t l, int thread, F f) const;
  // `thread`'s block of hidden layer l's activations or deltas (outputs_ or deltas_): its
  // columns of every sample, row-major [batch][End - Begin], on pages of its own (Resize).
  float* Rows(std::vector<common::PageFloats>& buffers, size_t l, int thread);
  // Calls f(in, ld_in, first, count) for the pieces of hidden layer l's input and the rows
  // [first, first + count) of its weights that each meets: the images, row-major, for l = 0;
  // above, every thread's block of the layer below.
  template <typename F>
  void ForInputBlocks(size_t l, const float* inputs, F f);
  // Turns the hidden layers' weights from row-major [inputs][outputs] (common::Layer) into
  // panels, or back.
  void Relayout(common::Parameters* p, bool to_panels) const;
  // Activations and deltas for `batch` samples, before the threads write them.
  void Resize(int batch);
  // One thread's share of the forward pass and, given labels, of the loss and backward pass:
  // without a learning rate, the gradients go to gradients_ (Backward); with one, the SGD step
  // goes straight into the parameters (TrainStep).
  void Step(int thread, const float* inputs, const uint8_t* labels, int batch, float* logits,
            std::optional<float> learning_rate);
  // ApplyGradients' SGD step on the thread's own parameters.
  void UpdateOwnSlice(int thread, float learning_rate);
  // Hands the current weights to the backend's fused layers, if it has them.
  void LoadFused();

  std::vector<int> sizes_;
  const Backend& backend_;
  const int threads_;
  // The width of the weights' panels: the micro-kernel's, so that it reads them in place; for a
  // library, a thread's whole block, as its gemm takes a plain row-major matrix.
  const int panel_;
  ThreadPool pool_;
  std::vector<std::unique_ptr<FusedDense>> fused_;  // one per hidden layer, or none
  // The output layer as common::Layer keeps it, row-major [inputs][outputs]; the hidden layers
  // in panels (Panel), so that each thread's weights and gradients are contiguous (two threads
  // updating the two halves of every row of one row-major matrix measured about 3x slower than two
  // threads each updating a block of their own, README.md), and so that our GEMM never packs
  // them.
  common::Parameters parameters_, gradients_;
  // outputs_[l] and deltas_[l]: hidden layer l's activations and deltas, a block per thread
  // (Rows). Not one row-major [batch][outputs] matrix whose rows each thread owns a part of:
  // that cost two threads more than one for half the work (README.md), likeliest because the
  // cores' prefetchers run ahead within a page, not knowing who owns what, and fetch the lines
  // that the other thread writes.
  std::vector<common::PageFloats> outputs_, deltas_;
  std::vector<std::vector<size_t>> block_start_;  // [l][thread]: floats from the start, whole pages
  // Per thread: its share of the logits (from its hidden units) and of the loss (from its rows).
  std::vector<common::Floats> partial_logits_;
  std::vector<double> loss_;
  // The output layer's delta, row-major [batch][outputs]: each thread computes its rows.
  common::Floats output_delta_;
};

// The trainer's and the tests' way in: the backend --gemm names ("" = the default) on --threads
// threads (0 = every core).
absl::StatusOr<std::unique_ptr<common::Network>> MakeNetwork(const common::NetworkOptions& options);

}  // namespace stage5

#endif  // STAGE5_THREADS_NETWORK_H_
