// The timers behind `train --profile`.
#include "common/profile.h"

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace common {
namespace {

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

double SecondsOf(const std::vector<ProfilePart>& parts, const std::string& name) {
  for (const ProfilePart& part : parts) {
    if (part.name == name) return part.seconds;
  }
  return -1;
}

TEST(Profile, OffByDefaultAndWhenDisabled) {
  TakeProfile();
  { PROFILE_SCOPE("never"); }
  EnableProfile(true);
  EnableProfile(false);
  { PROFILE_SCOPE("never either"); }
  EXPECT_TRUE(TakeProfile().empty());
}

// A part is charged its own time only: the nested part's time is not counted twice.
TEST(Profile, NestedPartsAreChargedTheirOwnTime) {
  EnableProfile(true);
  {
    PROFILE_SCOPE("outer");
    Sleep(10);
    for (int i = 0; i < 2; ++i) {
      PROFILE_SCOPE("inner", 1);
      Sleep(40);
    }
  }
  EnableProfile(false);
  const std::vector<ProfilePart> parts = TakeProfile();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "inner L1");  // slowest first
  EXPECT_GE(SecondsOf(parts, "inner L1"), 0.080);
  EXPECT_GE(SecondsOf(parts, "outer"), 0.010);
  // Were the inner parts charged to outer as well, outer would exceed them.
  EXPECT_LT(SecondsOf(parts, "outer"), SecondsOf(parts, "inner L1"));
  EXPECT_TRUE(TakeProfile().empty()) << "taking resets the sums";
}

// A thread told not to count adds nothing, whatever it times; the others are unaffected.
TEST(Profile, AThreadThatDoesNotCountAddsNothing) {
  TakeProfile();
  EnableProfile(true);
  std::thread other([] {
    CountProfileOnThisThread(false);
    PROFILE_SCOPE("same work, other thread");
    Sleep(5);
  });
  other.join();
  { PROFILE_SCOPE("counted"); }
  EnableProfile(false);
  const std::vector<ProfilePart> parts = TakeProfile();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "counted");
}

TEST(Profile, TableListsPartsAndTheRest) {
  const std::string table = ProfileTable({{"forward GEMM L1", 0.25}, {"SGD update", 0.05}}, 0.4);
  EXPECT_EQ(table,
            "  forward GEMM L1                 250.0 ms   62.5 %\n"
            "  SGD update                       50.0 ms   12.5 %\n"
            "  other (not timed)               100.0 ms   25.0 %\n");
}

}  // namespace
}  // namespace common
