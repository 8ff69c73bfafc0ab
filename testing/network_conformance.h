#ifndef TESTING_NETWORK_CONFORMANCE_H_
#define TESTING_NETWORK_CONFORMANCE_H_

// The tests every stage's network passes, written once, for any way a stage can compute: each
// stage's network_test.cc instantiates them for every GEMM and thread count it offers, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Stage4, NetworkConformance,
//                            testing::ValuesIn(conformance::ForEachGemm(
//                                stage4::MakeNetwork, {"own", "openblas", "eigen"})),
//                            conformance::TestName());
//
// Two suites: NetworkConformance checks a network on its own (finite differences, the SGD step,
// divergence and NaN reporting, learning); MatchesStage1 (matches_stage1.h) checks it against the
// reference, stage 1 in doubles. Stage 1 runs only the first.

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/dataset.h"
#include "common/model.h"
#include "common/network.h"
#include "gtest/gtest.h"

namespace conformance {

// One way of making a stage's network: its name in the test list (letters, digits and '_'
// only) and the factory with --gemm and --threads fixed.
struct NetworkUnderTest {
  std::string name;
  common::NetworkFactory factory = nullptr;
  std::string gemm;
  int threads = 0;

  // Fails the test (and returns null) if the factory refuses the options.
  std::unique_ptr<common::Network> Make(const std::vector<int>& sizes) const;
};

inline void PrintTo(const NetworkUnderTest& network, std::ostream* out) { *out << network.name; }

// {factory with gemm g, default threads} for each g, named g.
std::vector<NetworkUnderTest> ForEachGemm(common::NetworkFactory factory,
                                          const std::vector<std::string>& gemms, int threads = 0);

// Names each instantiation after NetworkUnderTest::name.
struct TestName {
  std::string operator()(const ::testing::TestParamInfo<NetworkUnderTest>& info) const {
    return info.param.name;
  }
};

// Test data, all drawn from a seed: uniform inputs in [0, 1), labels, He weights with small
// random biases (so the bias paths are exercised too).
std::vector<float> RandomInputs(int count, int width, uint64_t seed);
std::vector<uint8_t> RandomLabels(int count, uint64_t seed);
common::Parameters TestParameters(const std::vector<int>& sizes, uint64_t seed);

// A network shape, a random batch and starting weights.
struct Problem {
  std::vector<int> sizes;
  int batch;
  std::vector<float> x;
  std::vector<uint8_t> labels;
  common::Parameters parameters;
};
Problem MakeProblem(std::vector<int> sizes, int batch, uint64_t seed);

// Mean softmax cross-entropy of float logits, computed in double.
double MeanLoss(const std::vector<float>& logits, const std::vector<uint8_t>& labels);

// The first `train` and `test` samples of Fashion-MNIST (Debian's dataset-fashion-mnist,
// installed by ./setup.sh), loaded once per test binary.
common::Dataset FashionSubset(int train, int test);

}  // namespace conformance

class NetworkConformance : public ::testing::TestWithParam<conformance::NetworkUnderTest> {
 protected:
  std::unique_ptr<common::Network> Make(const std::vector<int>& sizes) const {
    return GetParam().Make(sizes);
  }
};

#endif  // TESTING_NETWORK_CONFORMANCE_H_
