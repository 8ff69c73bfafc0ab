#ifndef EXPERIMENTS_MATMUL_PRODUCTS_H_
#define EXPERIMENTS_MATMUL_PRODUCTS_H_

// C = A · B for square row-major matrices, in every way the blog experiment
// (matmul_types_benchmark.cc) times: our own loops in two orders, and the libraries of stage 4.

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"

struct xnn_operator;  // xnnpack.h

namespace matmul {

// Our loops, with the size known at compile time as for any fixed-size problem.
// i-j-k, the textbook: c_ij is a sum down column j of B (stride N), one dependent add per step.
template <typename T, int N>
void LoopsIjk(const T* __restrict a, const T* __restrict b, T* __restrict c) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      T sum = 0;
      for (int k = 0; k < N; ++k) sum += a[i * N + k] * b[k * N + j];
      c[i * N + j] = sum;
    }
  }
}

// i-k-j, stage 2's order: row i of C accumulates row k of B scaled by a_ik, stride 1.
template <typename T, int N>
void LoopsIkj(const T* __restrict a, const T* __restrict b, T* __restrict c) {
  for (int i = 0; i < N; ++i) {
    T* ci = c + i * N;
    for (int j = 0; j < N; ++j) ci[j] = 0;
    for (int k = 0; k < N; ++k) {
      const T aik = a[i * N + k];
      const T* bk = b + k * N;
      for (int j = 0; j < N; ++j) ci[j] += aik * bk[j];
    }
  }
}

// OpenBLAS (cblas_sgemm, cblas_dgemm), on the threads set for the whole process.
void SetOpenBlasThreads(int threads);
void OpenBlas(int n, const float* a, const float* b, float* c);
void OpenBlas(int n, const double* a, const double* b, double* c);

// Eigen's product of the matrices mapped in place; one thread (this build has no OpenMP). Eigen
// has a blocked, vectorized product for integers too, which numpy's BLAS path does not.
void Eigen(int n, const float* a, const float* b, float* c);
void Eigen(int n, const double* a, const double* b, double* c);
void Eigen(int n, const int32_t* a, const int32_t* b, int32_t* c);

// XNNPACK's fully connected operator with B as its weights, on the calling thread. Creating it
// packs B into XNNPACK's own blocked layout; after that it multiplies any n x n A by B.
class XnnpackProduct {
 public:
  static absl::StatusOr<std::unique_ptr<XnnpackProduct>> Create(int n, const float* b);
  ~XnnpackProduct();
  XnnpackProduct(const XnnpackProduct&) = delete;
  XnnpackProduct& operator=(const XnnpackProduct&) = delete;

  absl::Status Multiply(const float* a, float* c);

 private:
  XnnpackProduct(int n, xnn_operator* op) : n_(n), op_(op) {}
  int n_;
  xnn_operator* op_;
};

}  // namespace matmul

#endif  // EXPERIMENTS_MATMUL_PRODUCTS_H_
