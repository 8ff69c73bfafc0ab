// bazel run //stage5_threads:train -- --dataset=fashion --epochs=1
#include "common/trainer.h"
#include "stage5_threads/network.h"

int main(int argc, char** argv) {
  return common::TrainerMain(argc, argv, "stage5_threads", stage5::MakeNetwork);
}
