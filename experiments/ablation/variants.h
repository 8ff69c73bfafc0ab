#ifndef EXPERIMENTS_ABLATION_VARIANTS_H_
#define EXPERIMENTS_ABLATION_VARIANTS_H_

// Stage 1 -> stage 2 makes four changes at once. These networks make them one at a time, so
// each gets its own measured number (stage2_ablation_benchmark.cc) while computing the same
// training step as stage 1 (stage2_ablation_test.cc). Each is named after its four settings:
//
//   <double|float>_<rows|flat>_<sample|batch>_<dot|ikj>
//   element type   storage     work per       loop order (matrices.h)
//                  of a matrix product
//
// double_rows_sample_dot is stage 1's code, float_flat_batch_ikj is stage 2's.

#include <string>
#include <vector>

#include "common/network.h"

namespace ablation {

struct Variant {
  std::string name;
  common::NetworkFactory factory;
};

// Every combination that exists: 12 of the 16, because a batch as one matrix product needs one
// buffer per matrix (there is no rows_batch).
const std::vector<Variant>& AllVariants();

// Two paths from stage 1 to stage 2, one change per step, as names of AllVariants(). The gain of
// a change depends on what is already there, so the second path adds them in reverse order
// (except that the flat buffer must come before the batch).
inline const std::vector<std::string> kFloatFirst = {
    "double_rows_sample_dot", "float_rows_sample_dot", "float_flat_sample_dot",
    "float_flat_batch_dot",   "float_flat_batch_ikj",
};
inline const std::vector<std::string> kLoopsFirst = {
    "double_rows_sample_dot", "double_rows_sample_ikj", "double_flat_sample_ikj",
    "double_flat_batch_ikj",  "float_flat_batch_ikj",
};

}  // namespace ablation

#endif  // EXPERIMENTS_ABLATION_VARIANTS_H_
