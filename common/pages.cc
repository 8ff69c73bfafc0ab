#include "common/pages.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace common {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

void* AllocatePages(std::size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* const pointer = std::aligned_alloc(kHugePage, rounded);
  if (pointer == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(pointer, rounded, MADV_HUGEPAGE);  // advice: if it fails, the pages are just 4 KiB
#endif
  return pointer;
}

void FreePages(void* pointer, std::size_t bytes) {
  if (bytes < kHugePage) {
    ::operator delete(pointer);
  } else {
    std::free(pointer);
  }
}

}  // namespace common
