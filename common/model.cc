#include "common/model.h"

#include <cmath>

#include "common/rng.h"

namespace common {

std::vector<int> LayerSizes(const std::vector<int>& hidden) {
  std::vector<int> sizes = {kImagePixels};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(kClasses);
  return sizes;
}

Parameters ZerosLike(const std::vector<int>& sizes) {
  Parameters p;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    Layer layer;
    layer.inputs = sizes[l];
    layer.outputs = sizes[l + 1];
    layer.weights.assign(static_cast<size_t>(layer.inputs) * layer.outputs, 0.0f);
    layer.bias.assign(layer.outputs, 0.0f);
    p.layers.push_back(std::move(layer));
  }
  return p;
}

Parameters InitParameters(const std::vector<int>& sizes, uint64_t seed) {
  Rng rng(seed);
  Parameters p = ZerosLike(sizes);
  for (Layer& layer : p.layers) {
    const double stddev = std::sqrt(2.0 / layer.inputs);
    for (float& w : layer.weights) w = static_cast<float>(stddev * rng.Normal());
  }
  return p;
}

double ForwardFlopsPerSample(const std::vector<int>& sizes) {
  double flops = 0;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) flops += 2.0 * sizes[l] * sizes[l + 1];
  return flops;
}

double TrainingFlopsPerSample(const std::vector<int>& sizes) {
  double flops = 2 * ForwardFlopsPerSample(sizes);  // forward + weight gradient
  for (size_t l = 1; l + 1 < sizes.size(); ++l) flops += 2.0 * sizes[l] * sizes[l + 1];
  return flops;
}

}  // namespace common
