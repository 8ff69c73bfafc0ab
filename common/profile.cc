#include "common/profile.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace common {
namespace {

std::atomic<bool> g_enabled{false};
thread_local ProfileScope* t_innermost = nullptr;
thread_local bool t_counts = true;

// Sums per (part, layer). A mutex, not per-thread sums: the scopes are coarse (a few dozen per
// training step), so the lock is never the cost.
std::mutex g_mutex;
std::map<std::pair<const char*, int>, long long>& Sums() {
  static auto* sums = new std::map<std::pair<const char*, int>, long long>();
  return *sums;
}

long long NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ProfileScope::ProfileScope(const char* part, int layer)
    : part_(t_counts && g_enabled.load(std::memory_order_relaxed) ? part : nullptr), layer_(layer) {
  if (part_ == nullptr) return;
  outer_ = t_innermost;
  t_innermost = this;
  start_ns_ = NowNs();
}

ProfileScope::~ProfileScope() {
  if (part_ == nullptr) return;
  const long long elapsed = NowNs() - start_ns_;
  t_innermost = outer_;
  if (outer_ != nullptr) outer_->inner_ns_ += elapsed;
  std::lock_guard<std::mutex> lock(g_mutex);
  Sums()[{part_, layer_}] += elapsed - inner_ns_;
}

void EnableProfile(bool enabled) { g_enabled.store(enabled); }

void CountProfileOnThisThread(bool count) { t_counts = count; }

std::vector<ProfilePart> TakeProfile() {
  std::map<std::string, double> merged;  // parts with the same name from different pointers
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& [key, ns] : Sums()) {
      const std::string name =
          key.second > 0 ? absl::StrCat(key.first, " L", key.second) : std::string(key.first);
      merged[name] += ns * 1e-9;
    }
    Sums().clear();
  }
  std::vector<ProfilePart> parts;
  for (const auto& [name, seconds] : merged) parts.push_back({name, seconds});
  std::sort(parts.begin(), parts.end(),
            [](const ProfilePart& a, const ProfilePart& b) { return a.seconds > b.seconds; });
  return parts;
}

std::string ProfileTable(const std::vector<ProfilePart>& parts, double total) {
  std::string table;
  double covered = 0;
  for (const ProfilePart& part : parts) {
    covered += part.seconds;
    absl::StrAppendFormat(&table, "  %-28s %8.1f ms  %5.1f %%\n", part.name, 1e3 * part.seconds,
                          total > 0 ? 100 * part.seconds / total : 0.0);
  }
  const double other = std::max(0.0, total - covered);
  absl::StrAppendFormat(&table, "  %-28s %8.1f ms  %5.1f %%\n", "other (not timed)", 1e3 * other,
                        total > 0 ? 100 * other / total : 0.0);
  return table;
}

}  // namespace common
