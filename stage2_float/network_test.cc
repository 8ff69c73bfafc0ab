// The shared suite: finite differences, stage 1's forward pass, gradients and accuracy.
#include "common/network_conformance.h"
#include "stage2_float/network.h"

INSTANTIATE_TYPED_TEST_SUITE_P(Stage2, NetworkConformance, stage2::Network);
