#ifndef STAGE5_THREADS_GEMM_H_
#define STAGE5_THREADS_GEMM_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/gemm.h"
#include "stage5_threads/kernel.h"

namespace stage5 {

using common::Transpose;

// C = op(A) · op(B) + beta · C, the contract of common/gemm.h, computed in the GotoBLAS/BLIS
// style: a portable driver (gemm.cc) cuts the product into cache-sized blocks and copies
// ("packs") them into the order that a tiny register-tiled routine, the micro-kernel
// (kernel.h), reads. Only the micro-kernel is written with one instruction set's intrinsics, once
// per instruction set; the best one this CPU runs is chosen at run time.
void Gemm(Transpose transpose_a, Transpose transpose_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The kernels compiled into this binary that this CPU can run, fastest first. The portable one
// is always there, so tests can compare every kernel on whatever machine runs them.
std::vector<const Kernel*> AvailableKernels();

// The environment variable that picks a kernel by name instead of the fastest: "portable" runs
// the ARM path on an x86 machine, "avx2" the AVX2 kernel on an AVX-512 one (labs and tests).
inline constexpr char kKernelVariable[] = "MNIST_PERF_KERNEL";

// The kernel kKernelVariable names, or AvailableKernels().front() when it is unset or empty. An
// InvalidArgument error that lists the choices if this CPU runs no kernel of that name.
absl::StatusOr<const Kernel*> ChosenKernel();

// The kernel the plain Gemm uses: ChosenKernel(), once, at the first call. (A wrong name ends the
// program there with ChosenKernel's message; MakeNetwork reports it as an error before that.)
const Kernel& DefaultKernel();

// Gemm with an explicit kernel (tests and benchmarks run each kernel this way).
void Gemm(const Kernel& kernel, Transpose transpose_a, Transpose transpose_b, int m, int n, int k,
          const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace stage5

#endif  // STAGE5_THREADS_GEMM_H_
