// Stage 2's loops pass the GEMM suite every stage's products pass (testing/gemm_conformance.h).
#include "stage2_float/gemm.h"

#include "testing/gemm_conformance.h"

namespace {

INSTANTIATE_TEST_SUITE_P(Stage2, GemmConformance,
                         testing::Values(conformance::NamedGemm{"loops", stage2::Gemm}),
                         conformance::GemmName());

}  // namespace
