#ifndef TESTING_GEMM_CONFORMANCE_H_
#define TESTING_GEMM_CONFORMANCE_H_

// The tests every GEMM of every stage passes (common/gemm.h's contract), against a naive
// double-precision product: all four transpositions, sizes with tails in every dimension, long
// k, padded strides whose padding holds NaN (so reading it fails) and a sentinel (so writing it
// fails), beta 0 (C holds NaN, which must be ignored), 1 and others. A stage instantiates it for
// each GEMM it has:
//
//   INSTANTIATE_TEST_SUITE_P(Stage2, GemmConformance,
//                            testing::Values(conformance::NamedGemm{"loops", stage2::Gemm}),
//                            conformance::GemmName());

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/gemm.h"
#include "gtest/gtest.h"

namespace conformance {

using Gemm = std::function<void(common::Transpose transpose_a, common::Transpose transpose_b, int m,
                                int n, int k, const float* a, int lda, const float* b, int ldb,
                                float beta, float* c, int ldc)>;

struct NamedGemm {
  std::string name;  // letters, digits and '_' only
  Gemm gemm;
};

// gtest prints a parameter when a test fails; the name says it all.
inline void PrintTo(const NamedGemm& gemm, std::ostream* out) { *out << gemm.name; }

struct GemmName {
  std::string operator()(const ::testing::TestParamInfo<NamedGemm>& info) const {
    return info.param.name;
  }
};

// Runs C = op(A) op(B) + beta C for each beta on random operands and compares every element
// with the double-precision product; each failure is reported with its coordinates (at most 5
// per call). The tolerance scales with sum |a||b|, the size of the rounding errors float can
// make, not with the result, which may cancel to near zero.
void CheckGemm(const NamedGemm& gemm, common::Transpose transpose_a, common::Transpose transpose_b,
               int m, int n, int k, int pad = 0, const std::vector<float>& betas = {0.0f, 1.0f});

// Stages 3-5: the kernels given and, after each, its narrow sibling (Kernel::narrow) if it has
// one. Through its kernel a sibling only meets products of at most its nr columns; tests that
// call it directly give it every shape.
template <typename Kernel>
std::vector<const Kernel*> WithNarrowSiblings(const std::vector<const Kernel*>& kernels) {
  std::vector<const Kernel*> all;
  for (const Kernel* kernel : kernels) {
    all.push_back(kernel);
    if (kernel->narrow != nullptr) all.push_back(kernel->narrow);
  }
  return all;
}

}  // namespace conformance

class GemmConformance : public ::testing::TestWithParam<conformance::NamedGemm> {};

#endif  // TESTING_GEMM_CONFORMANCE_H_
