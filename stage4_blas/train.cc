// bazel run //stage4_blas:train -- --dataset=fashion --epochs=1
#include "common/trainer.h"
#include "stage4_blas/network.h"

int main(int argc, char** argv) {
  return common::TrainerMain(argc, argv, "stage4_blas", stage4::MakeNetwork);
}
