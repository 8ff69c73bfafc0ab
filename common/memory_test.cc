// The memory plan: what a run needs, what the machine and the process limits allow, and the
// one-line refusal.
#include "common/memory.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MemoryParsers, Meminfo) {
  EXPECT_EQ(MemAvailableFromMeminfo("MemTotal:       24684096 kB\n"
                                    "MemFree:        22000000 kB\n"
                                    "MemAvailable:   21416940 kB\n"),
            uint64_t{21416940} * 1024);
  EXPECT_EQ(MemAvailableFromMeminfo("MemTotal: 1 kB\n"), UINT64_MAX);  // an old kernel
}

TEST(MemoryParsers, ProcessStatus) {
  const char* status =
      "Name:\ttrain\nVmPeak:\t  200000 kB\nVmSize:\t  123456 kB\nVmData:\t 1000 kB\n";
  EXPECT_EQ(VmFieldFromStatus(status, "VmSize"), uint64_t{123456} * 1024);
  EXPECT_EQ(VmFieldFromStatus(status, "VmData"), uint64_t{1000} * 1024);
  EXPECT_EQ(VmFieldFromStatus(status, "VmSwap"), UINT64_MAX);
}

TEST(MemoryParsers, CgroupLimits) {
  EXPECT_EQ(CgroupLimitFromText("2147483648\n"), uint64_t{2147483648});
  EXPECT_EQ(CgroupLimitFromText("max\n"), UINT64_MAX);                  // v2: no limit
  EXPECT_EQ(CgroupLimitFromText("9223372036854771712\n"), UINT64_MAX);  // v1: no limit
  EXPECT_EQ(CgroupLimitFromText(""), UINT64_MAX);                       // no such file
}

// A made-up /proc and /sys.
FileReader Files(std::map<std::string, std::string> files) {
  return [files](const std::string& path) {
    auto it = files.find(path);
    return it == files.end() ? std::string() : it->second;
  };
}

TEST(CgroupBudget, Version2NestedLimitsTheSmallestLeftWins) {
  const MemoryBudget budget = CgroupBudget(Files({
      {"/proc/self/cgroup", "0::/user.slice/job\n"},
      {"/proc/self/mountinfo",
       "22 1 0:5 / /proc rw - proc proc rw\n"
       "30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"},
      {"/sys/fs/cgroup/user.slice/job/memory.max", "max\n"},
      {"/sys/fs/cgroup/user.slice/memory.max", "4000000000\n"},
      {"/sys/fs/cgroup/user.slice/memory.current", "1500000000\n"},
      // Page cache the kernel can drop does not count as used.
      {"/sys/fs/cgroup/user.slice/memory.stat", "anon 1000000000\ninactive_file 500000000\n"},
  }));
  EXPECT_EQ(budget.bytes, uint64_t{3000000000});
  EXPECT_EQ(budget.limited_by, "cgroup /sys/fs/cgroup/user.slice/memory.max");
}

TEST(CgroupBudget, Version1MemoryController) {
  const MemoryBudget budget = CgroupBudget(Files({
      {"/proc/self/cgroup", "5:devices:/\n4:memory:/process_api/abc\n0::/\n"},
      {"/proc/self/mountinfo",
       "35 30 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
       "36 30 0:30 / /sys/fs/cgroup/memory rw shared:9 - cgroup cgroup rw,memory\n"},
      {"/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes", "2147483648\n"},
      {"/sys/fs/cgroup/memory/process_api/abc/memory.usage_in_bytes", "147483648\n"},
      {"/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "9223372036854771712\n"},
      {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"},
  }));
  EXPECT_EQ(budget.bytes, uint64_t{2000000000});
  EXPECT_EQ(budget.limited_by,
            "cgroup /sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes");
}

// In a container the cgroup's own directory is what is mounted (its root is not "/").
TEST(CgroupBudget, MountedCgroupRoot) {
  const MemoryBudget budget = CgroupBudget(Files({
      {"/proc/self/cgroup", "0::/docker/xyz\n"},
      {"/proc/self/mountinfo", "30 22 0:26 /docker/xyz /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"},
      {"/sys/fs/cgroup/memory.max", "1000000000\n"},
      {"/sys/fs/cgroup/memory.current", "0\n"},
  }));
  EXPECT_EQ(budget.bytes, uint64_t{1000000000});
}

TEST(CgroupBudget, NoLimitsOrNoCgroups) {
  EXPECT_EQ(CgroupBudget(Files({})).bytes, UINT64_MAX);
  EXPECT_EQ(CgroupBudget(Files({{"/proc/self/cgroup", "0::/\n"},
                                {"/proc/self/mountinfo",
                                 "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 x rw\n"}}))
                .bytes,
            UINT64_MAX);
}

TEST(MemoryNeeds, Data) {
  // MNIST: 784 pixels and a label per sample, and the shuffle's int per training sample.
  EXPECT_EQ(DataBytes(60000, 10000), uint64_t{60000} * 789 + uint64_t{10000} * 785);
  EXPECT_EQ(DataBytes(10000000, 0), uint64_t{7890000000});
}

TEST(MemoryNeeds, Model) {
  // 784-128-10: 101,770 parameters at 24 bytes, 500 rows x 922 units x 3 x 8 bytes, 64 MiB.
  EXPECT_EQ(ModelBytes({784, 128, 10}, 64), uint64_t{2442480 + 11064000 + 67108864});
  // Batches larger than the evaluation chunk count as they are.
  EXPECT_EQ(ModelBytes({784, 128, 10}, 1000) - ModelBytes({784, 128, 10}, 500),
            uint64_t{500} * 922 * 24);
  // --hidden=65536,65536: 4.4 billion parameters, over 100 GB.
  EXPECT_GT(ModelBytes({784, 65536, 65536, 10}, 64), uint64_t{100} * 1000 * 1000 * 1000);
}

TEST(MemoryNeeds, HumanBytes) {
  EXPECT_EQ(HumanBytes(12), "12 bytes");
  EXPECT_EQ(HumanBytes(1500000000), "1.5 GB");
  EXPECT_EQ(HumanBytes(640000000), "640 MB");
  EXPECT_EQ(HumanBytes(106000000000), "106 GB");
}

void ExpectOneLineWith(const absl::Status& status, const std::string& phrase) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(status.message()), HasSubstr(phrase));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\n")));
}

TEST(CheckMemory, FitsOrSaysWhatToDo) {
  const MemoryBudget budget = {4000000000, "MemAvailable in /proc/meminfo"};
  EXPECT_TRUE(CheckMemory({1000000000, 2000000000}, budget).ok());
  EXPECT_TRUE(CheckMemory({2000000000, 2000000000}, budget).ok());  // exactly full

  // The model does not fit: a smaller --hidden.
  const absl::Status model = CheckMemory({50000000, 106000000000}, budget);
  ExpectOneLineWith(model, "this run needs about 106 GB of memory (data 50 MB, model 106 GB)");
  ExpectOneLineWith(model, "but only 4.0 GB is available (MemAvailable in /proc/meminfo)");
  ExpectOneLineWith(model, "use a smaller --hidden");
  EXPECT_THAT(std::string(model.message()), Not(HasSubstr("--limit")));

  // The data does not fit (a header announcing 10,000,000 images): --limit.
  const absl::Status data = CheckMemory({7890000000, 80000000}, budget);
  ExpectOneLineWith(data, "data 7.9 GB");
  ExpectOneLineWith(data, "--limit=N");
  EXPECT_THAT(std::string(data.message()), Not(HasSubstr("--hidden")));

  // Both.
  const absl::Status both = CheckMemory({7890000000, 106000000000}, budget);
  ExpectOneLineWith(both, "use a smaller --hidden and --limit=N");

  // Sums that would wrap around do not.
  EXPECT_FALSE(CheckMemory({UINT64_MAX - 5, UINT64_MAX - 5}, {UINT64_MAX - 1, "test"}).ok());
}

TEST(AvailableMemory, ThisMachine) {
  const MemoryBudget budget = AvailableMemory();
  std::ifstream meminfo("/proc/meminfo");
  std::stringstream text;
  text << meminfo.rdbuf();
  const uint64_t available = MemAvailableFromMeminfo(text.str());
  ASSERT_NE(available, UINT64_MAX);
  EXPECT_GT(budget.bytes, 0u);
  // Never more than the machine has free (a little slack: MemAvailable moves between reads).
  EXPECT_LE(budget.bytes, available + available / 10);
  EXPECT_FALSE(budget.limited_by.empty());
}

// `ulimit -v` in a child process: the budget is the limit minus what the process already maps.
TEST(AvailableMemory, AddressSpaceLimit) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ifstream status_file("/proc/self/status");
    std::stringstream status;
    status << status_file.rdbuf();
    const uint64_t mapped = VmFieldFromStatus(status.str(), "VmSize");
    const uint64_t headroom = uint64_t{512} << 20;
    struct rlimit limit = {mapped + headroom, mapped + headroom};
    const MemoryBudget budget =
        setrlimit(RLIMIT_AS, &limit) == 0 ? AvailableMemory() : MemoryBudget{0, "setrlimit"};
    const std::string out = std::to_string(budget.bytes) + " " + budget.limited_by;
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  char buffer[256] = {};
  (void)!read(fds[0], buffer, sizeof(buffer) - 1);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  std::istringstream result(buffer);
  uint64_t bytes = 0;
  std::string limited_by;
  result >> bytes;
  std::getline(result >> std::ws, limited_by);
  EXPECT_EQ(limited_by, "ulimit -v");
  EXPECT_LE(bytes, uint64_t{512} << 20);
  EXPECT_GT(bytes, uint64_t{256} << 20);
}

}  // namespace
}  // namespace common
