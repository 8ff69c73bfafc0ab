// Stage 1 is the reference the other stages are compared with; here it meets the shared suite
// (finite differences, short training run, divergence), comparing with itself where the suite
// compares a stage with stage 1.
#include "common/network_conformance.h"
#include "stage1_naive/network.h"

INSTANTIATE_TYPED_TEST_SUITE_P(Stage1, NetworkConformance, stage1::Network);
