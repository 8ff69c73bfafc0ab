// The portable half of stage 3's GEMM: cache blocking and packing, in the GotoBLAS/BLIS style.
// Nothing here depends on the instruction set: the arithmetic happens in a micro-kernel
// (kernel_*.cc) that this driver calls through a function pointer, so one driver serves all.
#include "stage3_simd/gemm.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/profile.h"

namespace stage3 {

// Defined in kernel_*.cc. BUILD only compiles the x86 ones on x86-64, and then says so with
// these STAGE3_HAVE_* defines: on ARM64 only the portable kernel exists.
extern const Kernel kPortableKernel;
#ifdef STAGE3_HAVE_AVX2
extern const Kernel kAvx2Kernel;
#endif
#ifdef STAGE3_HAVE_AVX512
extern const Kernel kAvx512Kernel;
#endif

namespace {

using Index = std::ptrdiff_t;  // row * stride overflows int on big matrices

// The largest mr x nr tile of any kernel, for the edge tile on the stack.
constexpr int kMaxTile = 32 * 32;

// One growing buffer per thread for the packed blocks: the training step makes the same calls
// thousands of times, so after the first one packing never allocates. It is 64-byte aligned:
// with nr = 16 or 32 floats, each row of a packed B panel then is exactly 1 or 2 cache lines.
float* PackBuffer(std::size_t floats) {
  thread_local std::vector<float> storage;
  if (storage.size() < floats + 16) storage.resize(floats + 16);
  const auto address = reinterpret_cast<std::uintptr_t>(storage.data());
  return reinterpret_cast<float*>((address + 63) & ~std::uintptr_t{63});
}

// Packing copies a rows x depth block of op(A) (rows = i, depth = p) or of op(B) seen as
// (rows = j, depth = p) into panels of W rows: panel after panel, and within a panel, for each
// step p the W values (r, p) side by side, which is the order the micro-kernel reads them in.
// The missing rows of the last panel are zeros, so the kernel never needs to know about edges:
// their results land in the part of the tile that the driver drops, and zeros (unlike whatever
// the buffer held) cannot be NaN or denormal numbers that would slow the arithmetic down.
//
// Stored row-major, the block is laid out one of two ways, and that is all transposition
// changes: this is where it is absorbed, and the kernels never see it.
//  - The W values of one step are contiguous (B as stored, or A stored transposed): packing is
//    a copy, element (r, p) at src[p * ld + r].
//  - Each row is contiguous along p (A as stored, or B stored transposed): packing is a
//    transpose, element (r, p) at src[r * ld + p].
// W is a template parameter so that the copies and loops have lengths the compiler knows.

template <int W>
void CopyPanels(const float* src, Index ld, int rows, int depth, float* dst) {
  const int full = rows / W * W;
  // Walk the source row by row, in memory order, handing each panel its W-wide piece.
  for (int p = 0; p < depth; ++p) {
    const float* s = src + p * ld;
    for (int r = 0; r < full; r += W) std::memcpy(dst + r * depth + p * W, s + r, W * 4);
    if (full == rows) continue;
    float* d = dst + full * depth + p * W;
    for (int r = full; r < full + W; ++r) d[r - full] = r < rows ? s[r] : 0.0f;
  }
}

using Vec4 = float __attribute__((vector_size(16)));  // SSE or NEON: portable SIMD

Vec4 Load4(const float* p) {
  Vec4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void Store4(float* p, Vec4 v) { std::memcpy(p, &v, sizeof v); }

// Transposes the 4 x 4 block at src (row stride rs) into 4 rows at dst (row stride ds), in
// registers: 4 loads, 8 shuffles and 4 stores, where element by element it takes 16 loads and
// 16 stores. (always_inline: GCC otherwise left it a function call per 16 values.)
__attribute__((always_inline)) inline void Transpose4x4(const float* src, Index rs, float* dst,
                                                        Index ds) {
  const Vec4 a = Load4(src), b = Load4(src + rs), c = Load4(src + 2 * rs), d = Load4(src + 3 * rs);
  const Vec4 ab01 = __builtin_shufflevector(a, b, 0, 4, 1, 5);            // a0 b0 a1 b1
  const Vec4 ab23 = __builtin_shufflevector(a, b, 2, 6, 3, 7);            // a2 b2 a3 b3
  const Vec4 cd01 = __builtin_shufflevector(c, d, 0, 4, 1, 5);            // c0 d0 c1 d1
  const Vec4 cd23 = __builtin_shufflevector(c, d, 2, 6, 3, 7);            // c2 d2 c3 d3
  Store4(dst, __builtin_shufflevector(ab01, cd01, 0, 1, 4, 5));           // a0 b0 c0 d0
  Store4(dst + ds, __builtin_shufflevector(ab01, cd01, 2, 3, 6, 7));      // a1 b1 c1 d1
  Store4(dst + 2 * ds, __builtin_shufflevector(ab23, cd23, 0, 1, 4, 5));  // a2 b2 c2 d2
  Store4(dst + 3 * ds, __builtin_shufflevector(ab23, cd23, 2, 3, 6, 7));  // a3 b3 c3 d3
}

template <int W>
void TransposePanels(const float* src, Index ld, int rows, int depth, float* dst) {
  const int full = rows / W * W;
  for (int r0 = 0; r0 < full; r0 += W) {
    const float* s = src + r0 * ld;
    float* d = dst + r0 * depth;
    int p = 0;
    for (; p + 4 <= depth; p += 4) {  // 4 steps at a time: 4 x 4 blocks, then W % 4 rows
      for (int r = 0; r + 4 <= W; r += 4) Transpose4x4(s + r * ld + p, ld, d + p * W + r, W);
      for (int r = W / 4 * 4; r < W; ++r) {
#pragma GCC unroll 4
        for (int q = p; q < p + 4; ++q) d[q * W + r] = s[r * ld + q];
      }
    }
    for (; p < depth; ++p) {  // the last depth % 4 steps
      for (int r = 0; r < W; ++r) d[p * W + r] = s[r * ld + p];
    }
  }
  if (full == rows) return;
  const float* s = src + full * ld;  // the last, partial panel: one value at a time
  float* d = dst + full * depth;
  for (int p = 0; p < depth; ++p, d += W) {
    for (int r = 0; r < rows - full; ++r) d[r] = s[r * ld + p];
    for (int r = rows - full; r < W; ++r) d[r] = 0.0f;
  }
}

// `copy` tells which of the two layouts above the block has.
void Pack(int w, bool copy, const float* src, Index ld, int rows, int depth, float* dst) {
  switch (w) {  // the panel widths of the kernels in kernel_*.cc
    case 6:
      return copy ? CopyPanels<6>(src, ld, rows, depth, dst)
                  : TransposePanels<6>(src, ld, rows, depth, dst);
    case 8:
      return copy ? CopyPanels<8>(src, ld, rows, depth, dst)
                  : TransposePanels<8>(src, ld, rows, depth, dst);
    case 16:
      return copy ? CopyPanels<16>(src, ld, rows, depth, dst)
                  : TransposePanels<16>(src, ld, rows, depth, dst);
    case 32:
      return copy ? CopyPanels<32>(src, ld, rows, depth, dst)
                  : TransposePanels<32>(src, ld, rows, depth, dst);
  }
  std::fprintf(stderr, "stage3::Gemm: no packing for panels of %d, add it to Pack\n", w);
  std::abort();
}

// Cuts `total` into equal blocks of at most `block` (a multiple of `multiple`): k = 784 with
// kc = 256 gives 4 x 196 instead of 3 x 256 + 16, whose last sliver would pay a full pass over
// C for little work.
int EvenBlock(int total, int block, int multiple) {
  const int count = (total + block - 1) / block;
  const int size = (total + count - 1) / count;
  return (size + multiple - 1) / multiple * multiple;
}

}  // namespace

std::vector<const Kernel*> AvailableKernels() {
  std::vector<const Kernel*> kernels;
  // __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV). The init
  // call makes it safe even from another file's static initializer, before libgcc's own ran.
#if defined(STAGE3_HAVE_AVX2) || defined(STAGE3_HAVE_AVX512)
  __builtin_cpu_init();
#endif
#ifdef STAGE3_HAVE_AVX512
  if (__builtin_cpu_supports("avx512f")) kernels.push_back(&kAvx512Kernel);
#endif
#ifdef STAGE3_HAVE_AVX2
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernels.push_back(&kAvx2Kernel);
  }
#endif
  kernels.push_back(&kPortableKernel);
  return kernels;
}

absl::StatusOr<const Kernel*> ChosenKernel() {
  const std::vector<const Kernel*> kernels = AvailableKernels();
  const char* const wanted = std::getenv(kKernelVariable);
  if (wanted == nullptr || *wanted == '\0') return kernels.front();
  std::vector<std::string> names;
  for (const Kernel* kernel : kernels) {
    if (std::string(wanted) == kernel->name) return kernel;
    names.push_back(kernel->name);
  }
  return absl::InvalidArgumentError(absl::StrCat(kKernelVariable, "=", wanted, ": this CPU runs ",
                                                 absl::StrJoin(names, ", "),
                                                 "; unset it for the fastest"));
}

const Kernel& DefaultKernel() {
  static const Kernel* const chosen = [] {  // thread-safe, runs once
    const absl::StatusOr<const Kernel*> kernel = ChosenKernel();
    if (kernel.ok()) return *kernel;
    std::fprintf(stderr, "%s\n", std::string(kernel.status().message()).c_str());
    std::exit(2);
  }();
  return *chosen;
}

void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  Gemm(DefaultKernel(), transpose_a, transpose_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void Gemm(const Kernel& kernel, Transpose transpose_a, Transpose transpose_b, int m, int n, int k,
          const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  if (kernel.narrow != nullptr && n <= kernel.narrow->nr) {  // the output layer's 10 columns
    return Gemm(*kernel.narrow, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
  }
  if (beta != 0.0f && beta != 1.0f) {  // not used by the network; keeps the BLAS contract whole
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) c[i * Index{ldc} + j] *= beta;
    }
    beta = 1.0f;
  }
  if (k <= 0) {
    if (beta == 0.0f) {
      for (int i = 0; i < m; ++i) std::fill(c + i * Index{ldc}, c + i * Index{ldc} + n, 0.0f);
    }
    return;
  }

  const int mr = kernel.mr, nr = kernel.nr;
  assert(mr * nr <= kMaxTile);
  // Which layout each operand has (see Pack), and where its block (r, p) starts.
  const bool copy_a = transpose_a == Transpose::kYes, copy_b = transpose_b == Transpose::kNo;
  auto a_at = [&](int i, int p) { return a + (copy_a ? p * Index{lda} + i : i * Index{lda} + p); };
  auto b_at = [&](int j, int p) { return b + (copy_b ? p * Index{ldb} + j : j * Index{ldb} + p); };

  const int mc = EvenBlock(m, kernel.mc, mr);
  const int kc = EvenBlock(k, kernel.kc, 1);
  const int nc = EvenBlock(n, kernel.nc, nr);
  const std::size_t a_size = (std::size_t{1} * mc * kc + 15) / 16 * 16;  // keeps B 64-aligned
  float* const packed_a = PackBuffer(a_size + std::size_t{1} * kc * nc);
  float* const packed_b = packed_a + a_size;
  alignas(64) float tile[kMaxTile];
  // A is packed only if it has fewer than mr rows (below): one block, one panel. Its strides:
  const bool packed = m < mr;
  const Index rs_a = packed || copy_a ? 1 : lda;
  const Index cs_a = packed ? mr : copy_a ? lda : 1;

  // The loop order is BLIS's: a kc x nc block of B is packed once and then reused by every
  // row block of A; an mc x kc block of A stays in L2 while each kc x nr panel of B (small enough
  // for L1) is swept over all of its mr-row panels. For the training shapes n <= nc, so each
  // element of B is packed exactly once per call.
  //
  // A is only packed where it must be. Packing exists to give the kernel contiguous panels that
  // stay in cache; but an mc x kc block of A already stays in L2 where it lies, and the kernel
  // reads its mr rows as mr sequential streams just as fast (it takes A's strides). So A is read
  // in place, the last, partial panel too: it starts mr rows before A's end, and of its tile
  // only the new rows are kept (the rows above were computed by the panel before). Only an A of
  // fewer than mr rows is packed, with zero rows below it.
  //
  // B is always packed: its panel is reused from L1 by every panel of A, and in place its rows
  // would sit a power-of-two stride apart (ldb = 128 floats in the network), all in the same few
  // L1 sets, evicting each other.
  for (int jc = 0; jc < n; jc += nc) {
    const int nb = std::min(nc, n - jc);
    for (int pc = 0; pc < k; pc += kc) {
      const int kb = std::min(kc, k - pc);
      // The first k block applies beta; the following ones add to what it left in C.
      const bool accumulate = beta != 0.0f || pc > 0;
      {
        PROFILE_SCOPE("pack B");
        Pack(nr, copy_b, b_at(jc, pc), ldb, nb, kb, packed_b);
      }
      for (int ic = 0; ic < m; ic += mc) {
        const int mb = std::min(mc, m - ic);
        if (packed) {
          PROFILE_SCOPE("pack A");
          Pack(mr, copy_a, a_at(0, pc), lda, m, kb, packed_a);
        }
        for (int jr = 0; jr < nb; jr += nr) {
          const float* b_panel = packed_b + Index{jr} * kb;
          for (int ir = 0; ir < mb; ir += mr) {
            const int rows = std::min(mr, mb - ir), cols = std::min(nr, nb - jr);
            // A partial panel in place starts `shift` rows early; its first rows are dropped.
            const int shift = packed ? 0 : mr - rows;
            const float* a_panel = packed ? packed_a : a_at(ic + ir - shift, pc);
            float* c_tile = c + (ic + ir) * Index{ldc} + jc + jr;
            if (rows == mr && cols == nr) {
              kernel.micro(kb, a_panel, rs_a, cs_a, b_panel, c_tile, ldc, accumulate);
              continue;
            }
            // An edge tile: the kernel always writes a full mr x nr tile, so let it write to a
            // scratch tile and copy only the part that exists in C.
            kernel.micro(kb, a_panel, rs_a, cs_a, b_panel, tile, nr, false);
            for (int i = 0; i < rows; ++i) {
              float* c_row = c_tile + i * Index{ldc};
              const float* tile_row = tile + (shift + i) * nr;
              for (int j = 0; j < cols; ++j) {
                c_row[j] = (accumulate ? c_row[j] : 0.0f) + tile_row[j];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace stage3
