// The checks every stage passes (testing/network_conformance.h). Stage 1 is the reference the
// later stages are compared with, so it has no MatchesStage1 suite.
#include "stage1_naive/network.h"

#include "testing/network_conformance.h"

namespace {

const conformance::NetworkUnderTest kNetworks[] = {{"own", stage1::MakeNetwork}};

INSTANTIATE_TEST_SUITE_P(Stage1, NetworkConformance, testing::ValuesIn(kNetworks),
                         conformance::TestName());

}  // namespace
