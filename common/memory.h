#ifndef COMMON_MEMORY_H_
#define COMMON_MEMORY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace common {

// How much more memory this process may take, and which limit says so. Linux hands out
// memory it does not have (overcommit) and kills the process later, so a run that cannot fit
// must be refused before it allocates, not when an allocation fails.
struct MemoryBudget {
  uint64_t bytes = UINT64_MAX;
  std::string limited_by;  // e.g. "MemAvailable in /proc/meminfo", "ulimit -v", "cgroup ..."
};

// The smallest of: MemAvailable, the address-space and data-segment limits (ulimit -v / -d)
// minus what the process already uses, and the cgroup's memory limit (v1 or v2, of this
// process's cgroup and its parents) minus its usage.
MemoryBudget AvailableMemory();

// What a training run needs, rather over than under.
struct MemoryNeed {
  uint64_t data = 0;   // the samples as bytes, labels, the shuffle order
  uint64_t model = 0;  // weights, gradients, initial copy, activations of a batch
};

// `train` and `test` samples of 784 bytes and a label each.
uint64_t DataBytes(uint64_t train, uint64_t test);

// A network of these layer sizes trained in batches of `batch_size`. Counts 24 bytes per
// parameter (stage 1 keeps weights and gradients as doubles, and every stage gets the float
// initial weights once), and for the activations of the larger of a training batch and the
// evaluation chunk (500) 8 bytes per unit of every layer, three times (inputs, outputs, deltas),
// plus 64 MiB for code, libraries and packing buffers.
uint64_t ModelBytes(const std::vector<int>& sizes, int batch_size);

// OK if `need` fits in `budget`; otherwise one line: how much is needed, what is available
// (and why), and what to do: --limit if the data is the larger part, a smaller --hidden if the
// model is.
absl::Status CheckMemory(const MemoryNeed& need, const MemoryBudget& budget);

// "1.5 GB", "640 MB", "12 KB" (powers of 1000, one decimal under 10).
std::string HumanBytes(uint64_t bytes);

// Parsers of the kernel's files, exposed for tests. Each returns UINT64_MAX when the text does
// not say (no such line, "max", a cgroup v1 "unlimited" of about 2^63).
uint64_t MemAvailableFromMeminfo(absl::string_view meminfo);
uint64_t VmFieldFromStatus(absl::string_view status, absl::string_view field);  // "VmSize", ...
uint64_t CgroupLimitFromText(absl::string_view text);

// The cgroup part of AvailableMemory, with files read through `read` (a path's contents, "" if
// it cannot be read), so tests can give it a made-up /proc and /sys.
using FileReader = std::function<std::string(const std::string& path)>;
MemoryBudget CgroupBudget(const FileReader& read);

}  // namespace common

#endif  // COMMON_MEMORY_H_
