#ifndef COMMON_NETWORK_H_
#define COMMON_NETWORK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/model.h"

namespace common {

// What a network computes with, for the report and the record: whose matrix products, on how
// many threads, and what was chosen at run time.
struct Engine {
  std::string gemm = "own";  // "own" (this project's code) or a library: "openblas", "eigen", ...
  int threads = 1;
  std::string details;  // e.g. "kernel avx2 6x16"; may be empty
};

// What every stage implements; the training loop, the trainer binary and the conformance tests
// only talk to this. Inputs are row-major float matrices [batch][inputs] with pixels in [0, 1];
// logits come back as [batch][classes]. `batch` may change from call to call.
class Network {
 public:
  virtual ~Network() = default;

  virtual void SetParameters(const Parameters& parameters) = 0;
  virtual Parameters GetParameters() const = 0;

  // Logits (before softmax) of a batch.
  virtual void Forward(const float* inputs, int batch, float* logits) = 0;

  // Forward and backward pass of a mini-batch: keeps the gradient of the mean softmax
  // cross-entropy loss for ApplyGradients, writes the logits, returns the mean loss.
  virtual double Backward(const float* inputs, const uint8_t* labels, int batch, float* logits) = 0;

  // The gradients from the last Backward, in the layout of Parameters.
  virtual Parameters GetGradients() const = 0;

  // Plain SGD: parameters -= learning_rate * gradients.
  virtual void ApplyGradients(float learning_rate) = 0;

  // One training step, what the trainer calls: Backward, then ApplyGradients, returning the mean
  // loss before the step. A stage may override it to fuse the two (write each update straight
  // into the weights instead of keeping gradients to read back), and it then keeps no
  // gradients for GetGradients: the tests check Backward and ApplyGradients through those, and
  // that this equals them.
  virtual double TrainStep(const float* inputs, const uint8_t* labels, int batch, float* logits,
                           float learning_rate) {
    const double loss = Backward(inputs, labels, batch, logits);
    ApplyGradients(learning_rate);
    return loss;
  }

  virtual Engine Describe() const { return Engine(); }

  // Runs work(begin, end) over the rows [0, rows) of a batch, split in blocks that may run on
  // several threads at once, and returns when all are done. The trainer gathers each batch
  // through it, so that a network on several threads gathers on all of them. By default: one
  // block, on the calling thread.
  virtual void ForRows(int rows, absl::FunctionRef<void(int begin, int end)> work) {
    work(0, rows);
  }
};

// What the trainer (flags --gemm and --threads) and the tests ask a stage for.
struct NetworkOptions {
  std::vector<int> sizes;  // layer widths {784, hidden..., 10}
  std::string gemm;        // "" = the stage's default
  int threads = 0;         // 0 = the stage's default
};

// Each stage's MakeNetwork. An option the stage does not offer (a GEMM it does not have, more
// threads than a one-thread stage runs) is an InvalidArgument error naming what it does offer.
using NetworkFactory = absl::StatusOr<std::unique_ptr<Network>> (*)(const NetworkOptions& options);

// For stages with one way of computing on one thread: checks that `options` asks for nothing
// else (gemm "" or "own", threads 0 or 1).
absl::Status CheckOneThreadOwnGemm(const NetworkOptions& options, const char* stage);

}  // namespace common

#endif  // COMMON_NETWORK_H_
