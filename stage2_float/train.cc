// bazel run //stage2_float:train -- --dataset=fashion --epochs=1
#include "common/trainer.h"
#include "stage2_float/network.h"

int main(int argc, char** argv) {
  return common::TrainerMain(argc, argv, "stage2_float", stage2::MakeNetwork);
}
