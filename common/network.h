#ifndef COMMON_NETWORK_H_
#define COMMON_NETWORK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/model.h"

namespace common {

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
  virtual double Backward(const float* inputs, const uint8_t* labels, int batch,
                          float* logits) = 0;

  // The gradients from the last Backward, in the layout of Parameters.
  virtual Parameters GetGradients() const = 0;

  // Plain SGD: parameters -= learning_rate * gradients.
  virtual void ApplyGradients(float learning_rate) = 0;

  // What the stage chose at run time (e.g. its SIMD kernel), for the report; may be empty.
  virtual std::string Details() const { return ""; }
};

// How a trainer makes its stage's network for the layer sizes {784, hidden..., 10}.
using NetworkFactory = std::unique_ptr<Network> (*)(const std::vector<int>& sizes);

}  // namespace common

#endif  // COMMON_NETWORK_H_
