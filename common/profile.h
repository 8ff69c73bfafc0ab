#ifndef COMMON_PROFILE_H_
#define COMMON_PROFILE_H_

#include <string>
#include <vector>

namespace common {

// Where an epoch's time goes: timers around the parts of a training step, summed per part over
// the epoch. `train --profile` turns them on and prints the table after each epoch; off, a timer
// costs one predictable branch.
//
//   void Network::ApplyGradients(float learning_rate) {
//     PROFILE_SCOPE("SGD update");
//     ...
//
// Parts may nest (a GEMM's packing inside the GEMM): each part is charged its own time only,
// without the parts inside it, so the parts add up to the time they cover. `layer` (1-based,
// 0 = none) tells the layers' products apart. Timers count on the thread that runs them, unless
// that thread was told not to count (CountProfileOnThisThread): stage 5 counts only its thread 0,
// as the others do the same work at the same time.
class ProfileScope {
 public:
  explicit ProfileScope(const char* part, int layer = 0);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  const char* part_;
  int layer_;
  long long start_ns_ = 0;
  long long inner_ns_ = 0;  // time of the scopes nested in this one
  ProfileScope* outer_ = nullptr;
};

#define PROFILE_CONCAT_INNER(a, b) a##b
#define PROFILE_CONCAT(a, b) PROFILE_CONCAT_INNER(a, b)
#define PROFILE_SCOPE(...) \
  ::common::ProfileScope PROFILE_CONCAT(profile_scope_, __LINE__)(__VA_ARGS__)

struct ProfilePart {
  std::string name;  // "forward GEMM L1"
  double seconds;
};

void EnableProfile(bool enabled);

// Whether the timers of the calling thread count (they do unless told otherwise). Threads that
// run the same work as another at the same time must not: their parts would be counted twice
// and add up to more than the epoch.
void CountProfileOnThisThread(bool count);

// The parts timed since the last call, slowest first; resets the sums.
std::vector<ProfilePart> TakeProfile();

// The parts as lines of a table, against the `total` seconds they were part of; the time no
// part covered is listed as "other".
std::string ProfileTable(const std::vector<ProfilePart>& parts, double total);

}  // namespace common

#endif  // COMMON_PROFILE_H_
