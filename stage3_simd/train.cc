// bazel run //stage3_simd:train -- --dataset=fashion --epochs=1
#include "common/trainer.h"
#include "stage3_simd/network.h"

int main(int argc, char** argv) {
  return common::TrainerMain(argc, argv, "stage3_simd", stage3::MakeNetwork);
}
