// Every variant of the stage 1 -> stage 2 ablation computes stage 1's training step: the shared
// suites (testing/) check its gradients against finite differences and its logits, loss,
// gradients and one-epoch accuracy against stage 1's on the same weights and batches.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "experiments/ablation/variants.h"
#include "gtest/gtest.h"
#include "testing/matches_stage1.h"
#include "testing/network_conformance.h"

namespace {

std::vector<conformance::NetworkUnderTest> Networks() {
  std::vector<conformance::NetworkUnderTest> networks;
  for (const ablation::Variant& v : ablation::AllVariants())
    networks.push_back({v.name, v.factory});
  return networks;
}

INSTANTIATE_TEST_SUITE_P(Ablation, NetworkConformance, testing::ValuesIn(Networks()),
                         conformance::TestName());
INSTANTIATE_TEST_SUITE_P(Ablation, MatchesStage1, testing::ValuesIn(Networks()),
                         conformance::TestName());

// The README's two paths go from stage 1's settings to stage 2's, changing one setting per step.
void ExpectOneChangePerStep(const std::vector<std::string>& chain) {
  ASSERT_EQ(chain.size(), 5u);
  EXPECT_EQ(chain.front(), "double_rows_sample_dot");
  EXPECT_EQ(chain.back(), "float_flat_batch_ikj");
  std::vector<std::string> names;
  for (const ablation::Variant& v : ablation::AllVariants()) names.push_back(v.name);
  for (size_t step = 0; step < chain.size(); ++step) {
    EXPECT_NE(std::find(names.begin(), names.end(), chain[step]), names.end()) << chain[step];
    if (step == 0) continue;
    const std::vector<std::string> before = absl::StrSplit(chain[step - 1], '_');
    const std::vector<std::string> after = absl::StrSplit(chain[step], '_');
    ASSERT_EQ(before.size(), 4u);
    ASSERT_EQ(after.size(), 4u);
    int changed = 0;
    for (size_t i = 0; i < before.size(); ++i) changed += before[i] != after[i];
    EXPECT_EQ(changed, 1) << chain[step - 1] << " -> " << chain[step];
  }
}

TEST(AblationChains, FloatFirstChangesOneSettingPerStep) {
  ExpectOneChangePerStep(ablation::kFloatFirst);
}

TEST(AblationChains, LoopsFirstChangesOneSettingPerStep) {
  ExpectOneChangePerStep(ablation::kLoopsFirst);
}

}  // namespace
