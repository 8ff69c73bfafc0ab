// The checks every stage passes (testing/network_conformance.h), and the same logits, gradients
// and accuracy as stage 1 (testing/matches_stage1.h), on 1, 2 and 3 threads.
#include "stage5_threads/network.h"

#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

const conformance::NetworkUnderTest kNetworks[] = {
    {"own_1thread", stage5::MakeNetwork, "own", 1},
    {"own_2threads", stage5::MakeNetwork, "own", 2},
    {"own_3threads", stage5::MakeNetwork, "own", 3},
};

INSTANTIATE_TEST_SUITE_P(Stage5, NetworkConformance, testing::ValuesIn(kNetworks),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Stage5, MatchesStage1, testing::ValuesIn(kNetworks),
                         conformance::TestName());

}  // namespace
