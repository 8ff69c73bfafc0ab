// bazel run //stage1_naive:train -- --dataset=fashion --epochs=1
#include "common/trainer.h"
#include "stage1_naive/network.h"

int main(int argc, char** argv) {
  return common::TrainerMain(argc, argv, "stage1_naive", stage1::MakeNetwork);
}
