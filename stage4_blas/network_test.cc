// The checks every stage passes (testing/network_conformance.h), and the same logits, gradients
// and accuracy as stage 1 (testing/matches_stage1.h).
#include "stage4_blas/network.h"

#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

const conformance::NetworkUnderTest kNetworks[] = {{"own", stage4::MakeNetwork}};

INSTANTIATE_TEST_SUITE_P(Stage4, NetworkConformance, testing::ValuesIn(kNetworks),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Stage4, MatchesStage1, testing::ValuesIn(kNetworks),
                         conformance::TestName());

}  // namespace
