#include "common/memory.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/model.h"

namespace common {
namespace {

constexpr uint64_t kUnknown = UINT64_MAX;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after "Name:" on the line starting with `name`, times 1024 if it is in kB.
uint64_t FieldBytes(absl::string_view text, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, ":")) continue;
    line = absl::StripAsciiWhitespace(line);
    const bool kb = absl::ConsumeSuffix(&line, "kB");
    uint64_t value = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &value)) return kUnknown;
    return kb ? value * 1024 : value;
  }
  return kUnknown;
}

// The value of `key value` lines (cgroup memory.stat).
uint64_t StatValue(absl::string_view text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    uint64_t value = 0;
    if (kv.first == key && absl::SimpleAtoi(kv.second, &value)) return value;
  }
  return 0;
}

void Consider(MemoryBudget& budget, uint64_t bytes, absl::string_view why) {
  if (bytes < budget.bytes) {
    budget.bytes = bytes;
    budget.limited_by = std::string(why);
  }
}

uint64_t Minus(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

void ConsiderRlimit(MemoryBudget& budget, int resource, absl::string_view vm_field,
                    absl::string_view name) {
  struct rlimit limit;
  if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  const uint64_t used = VmFieldFromStatus(ReadText("/proc/self/status"), vm_field);
  Consider(budget, Minus(limit.rlim_cur, used == kUnknown ? 0 : used), name);
}

// Where a cgroup hierarchy is mounted: v2 (`cgroup2`), or v1 with the memory controller.
struct CgroupMount {
  std::string root;   // the cgroup the mount shows at its top
  std::string point;  // where it is mounted
};

bool FindCgroupMount(const FileReader& read, bool v2, CgroupMount* mount) {
  for (absl::string_view line : absl::StrSplit(read("/proc/self/mountinfo"), '\n')) {
    // "36 25 0:31 / /sys/fs/cgroup/memory rw,... shared:14 - cgroup cgroup rw,memory"
    std::pair<absl::string_view, absl::string_view> halves = absl::StrSplit(line, " - ");
    const std::vector<absl::string_view> left = absl::StrSplit(halves.first, ' ');
    const std::vector<absl::string_view> right = absl::StrSplit(halves.second, ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    const bool match = v2 ? right[0] == "cgroup2"
                          : right[0] == "cgroup" &&
                                absl::StrContains(absl::StrCat(",", right[2], ","), ",memory,");
    if (!match) continue;
    mount->root = std::string(left[3]);
    mount->point = std::string(left[4]);
    return true;
  }
  return false;
}

}  // namespace

// Walks from this process's cgroup up to the top of the mount; every level's limit applies.
MemoryBudget CgroupBudget(const FileReader& read) {
  MemoryBudget budget;
  for (absl::string_view line : absl::StrSplit(read("/proc/self/cgroup"), '\n')) {
    // v2: "0::/user.slice/..."; v1: "4:memory:/docker/abc".
    const std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    const bool v2 = fields[0] == "0" && fields[1].empty();
    const bool v1 = absl::StrContains(absl::StrCat(",", fields[1], ","), ",memory,");
    if (!v1 && !v2) continue;
    CgroupMount mount;
    if (!FindCgroupMount(read, v2, &mount)) continue;
    absl::string_view path = fields[2];
    if (mount.root != "/" && !absl::ConsumePrefix(&path, mount.root)) continue;
    const std::string limit_file = v2 ? "memory.max" : "memory.limit_in_bytes";
    const std::string usage_file = v2 ? "memory.current" : "memory.usage_in_bytes";
    const std::string cache_key = v2 ? "inactive_file" : "total_inactive_file";
    std::string dir = absl::StrCat(mount.point, path == "/" ? "" : path);
    while (dir.size() >= mount.point.size()) {
      const uint64_t limit = CgroupLimitFromText(read(dir + "/" + limit_file));
      if (limit != kUnknown) {
        uint64_t usage = 0;
        absl::SimpleAtoi(absl::StripAsciiWhitespace(read(dir + "/" + usage_file)), &usage);
        // Page cache the kernel drops before it would kill anyone is not really used.
        usage = Minus(usage, StatValue(read(dir + "/memory.stat"), cache_key));
        Consider(budget, Minus(limit, usage), absl::StrCat("cgroup ", dir, "/", limit_file));
      }
      if (dir == mount.point) break;
      dir.resize(dir.rfind('/'));
    }
  }
  return budget;
}

uint64_t MemAvailableFromMeminfo(absl::string_view meminfo) {
  return FieldBytes(meminfo, "MemAvailable");
}

uint64_t VmFieldFromStatus(absl::string_view status, absl::string_view field) {
  return FieldBytes(status, field);
}

uint64_t CgroupLimitFromText(absl::string_view text) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) return kUnknown;  // "max"
  // cgroup v1 writes "no limit" as the largest page-aligned 63-bit number.
  return value >= (uint64_t{1} << 62) ? kUnknown : value;
}

MemoryBudget AvailableMemory() {
  MemoryBudget budget;
  Consider(budget, MemAvailableFromMeminfo(ReadText("/proc/meminfo")),
           "MemAvailable in /proc/meminfo");
  ConsiderRlimit(budget, RLIMIT_AS, "VmSize", "ulimit -v");
  ConsiderRlimit(budget, RLIMIT_DATA, "VmData", "ulimit -d");
  const MemoryBudget cgroups = CgroupBudget(ReadText);
  Consider(budget, cgroups.bytes, cgroups.limited_by);
  return budget;
}

uint64_t DataBytes(uint64_t train, uint64_t test) {
  // Pixels and label of every sample, plus the shuffle order's int per training sample.
  return train * (kImagePixels + 1 + sizeof(int)) + test * (kImagePixels + 1);
}

uint64_t ModelBytes(const std::vector<int>& sizes, int batch_size) {
  // In double: a long --hidden list of wide layers must saturate, not wrap around.
  double parameters = 0, units = 0;
  for (size_t l = 0; l < sizes.size(); ++l) {
    units += sizes[l];
    if (l + 1 < sizes.size()) parameters += (static_cast<double>(sizes[l]) + 1) * sizes[l + 1];
  }
  const double rows = std::max(batch_size, 500);
  const double bytes = 24 * parameters + 3 * 8 * rows * units + 64.0 * (1 << 20);
  return bytes >= 1.8e19 ? kUnknown : static_cast<uint64_t>(bytes);
}

std::string HumanBytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  double v = b;
  while (v >= 1000 && u < 6) {
    v /= 1000;
    ++u;
  }
  if (u == 0) return absl::StrCat(bytes, " bytes");
  return v < 10 ? absl::StrFormat("%.1f %s", v, units[u]) : absl::StrFormat("%.0f %s", v, units[u]);
}

absl::Status CheckMemory(const MemoryNeed& need, const MemoryBudget& budget) {
  const uint64_t total = need.data > kUnknown - need.model ? kUnknown : need.data + need.model;
  if (total <= budget.bytes) return absl::OkStatus();
  const bool model_fits = need.model < budget.bytes;
  std::string advice;
  if (!model_fits) {
    advice = "use a smaller --hidden";
  } else {
    advice = "train on fewer samples with --limit=N";
  }
  if (!model_fits && need.data > budget.bytes / 2) advice += " and --limit=N";
  return absl::ResourceExhaustedError(
      absl::StrCat("this run needs about ", HumanBytes(total), " of memory (data ",
                   HumanBytes(need.data), ", model ", HumanBytes(need.model), ") but only ",
                   HumanBytes(budget.bytes), " is available (", budget.limited_by, "): ", advice));
}

}  // namespace common
