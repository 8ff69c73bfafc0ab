#ifndef COMMON_PAGES_H_
#define COMMON_PAGES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace common {

// Memory for the data set, asked of Linux in 2 MiB pages. A shuffled batch reads 64 images
// scattered over 47 MB. With 4 KiB pages that is 11,500 pages, and a core's TLB holds the
// addresses of about 2,000 (8 MB): nearly every image costs a page-table walk before its first
// byte arrives. In 2 MiB pages the whole set is 23 pages. (experiments/README.md measures it.)
//
// Buffers of at least 2 MiB are aligned to 2 MiB and advised MADV_HUGEPAGE before anything is
// written to them, so that the kernel's transparent huge pages (on by default for advised memory)
// back them as they are touched. It is only advice: where there are none (THP off, macOS), the
// buffer is an ordinary one. Smaller buffers are ordinary allocations.
void* AllocatePages(std::size_t bytes);
void FreePages(void* pointer, std::size_t bytes);

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(AllocatePages(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { FreePages(p, n * sizeof(T)); }
  bool operator==(const HugePageAllocator&) const { return true; }
  bool operator!=(const HugePageAllocator&) const { return false; }
};

using Bytes = std::vector<uint8_t, HugePageAllocator<uint8_t>>;

}  // namespace common

#endif  // COMMON_PAGES_H_
