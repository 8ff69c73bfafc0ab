// The shared suite: finite differences, stage 1's forward pass, gradients and accuracy.
#include "stage3_simd/network.h"

#include "common/network_conformance.h"

INSTANTIATE_TYPED_TEST_SUITE_P(Stage3, NetworkConformance, stage3::Network);
