// The data set's buffers: ordinary below 2 MiB; from 2 MiB on, aligned to 2 MiB and advised to
// the kernel for transparent huge pages, which /proc/self/smaps reports per mapping.
#include "common/pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace common {
namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

// The transparent huge pages setting: "always", "madvise", "never", or "" if not Linux's.
std::string ThpSetting() {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t open = text.find('['), close = text.find(']');
  return open == std::string::npos || close < open ? "" : text.substr(open + 1, close - open - 1);
}

// The "THPeligible:" value of the mapping in /proc/self/smaps that holds `address`, or -1.
int ThpEligible(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::stoi(line.substr(12));
    }
  }
  return -1;
}

TEST(PagesTest, SmallBuffersAreOrdinary) {
  Bytes bytes(1000, 7);
  bytes.push_back(8);
  EXPECT_EQ(bytes.size(), 1001u);
  EXPECT_EQ(bytes.front(), 7);
  EXPECT_EQ(bytes.back(), 8);
}

TEST(PagesTest, BigBuffersAreAlignedAndAdvised) {
  Bytes bytes(3 << 20, 1);  // 3 MiB: rounded up to two huge pages
  bytes.back() = 2;
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(bytes.data()) % kHugePage, 0u);
  const std::string setting = ThpSetting();
  if (setting != "always" && setting != "madvise") {
    GTEST_SKIP() << "transparent huge pages are '" << setting << "' here";
  }
  // An arm64 kernel with 16 or 64 KiB pages has 32 or 512 MiB huge pages, which a 3 MiB buffer
  // cannot hold: there the advice is harmless and useless.
  std::ifstream pmd_size("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  std::uintptr_t huge_page = 0;
  if (pmd_size >> huge_page && huge_page != kHugePage) {
    GTEST_SKIP() << "this kernel's huge pages are " << (huge_page >> 10) << " KiB, not 2 MiB";
  }
  // With THP only for advised memory, an unadvised buffer would say 0.
  EXPECT_EQ(ThpEligible(bytes.data()), 1) << "THP setting: " << setting;
}

}  // namespace
}  // namespace common
