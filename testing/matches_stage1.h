#ifndef TESTING_MATCHES_STAGE1_H_
#define TESTING_MATCHES_STAGE1_H_

// Every stage after the first against the reference, stage 1 (doubles, textbook loops): on the
// same weights and batch the same logits, loss and gradients within float rounding, and after
// one epoch from the same seed the same test accuracy within 0.5 points.
//
//   INSTANTIATE_TEST_SUITE_P(Stage3, MatchesStage1,
//                            testing::Values(conformance::NetworkUnderTest{"own",
//                                                                         stage3::MakeNetwork}),
//                            conformance::TestName());

#include "testing/network_conformance.h"

class MatchesStage1 : public NetworkConformance {};

#endif  // TESTING_MATCHES_STAGE1_H_
