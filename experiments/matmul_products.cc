#include "experiments/matmul_products.h"

#include <cblas.h>
#include <xnnpack.h>

#include <Eigen/Core>
#include <limits>

#include "absl/strings/str_cat.h"

namespace matmul {
namespace {

template <typename T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <typename T>
void EigenProduct(int n, const T* a, const T* b, T* c) {
  Eigen::Map<RowMajor<T>>(c, n, n).noalias() =
      Eigen::Map<const RowMajor<T>>(a, n, n) * Eigen::Map<const RowMajor<T>>(b, n, n);
}

absl::Status XnnpackError(const char* what, xnn_status status) {
  return absl::InternalError(absl::StrCat("XNNPACK: ", what, " failed with status ", status));
}

}  // namespace

void SetOpenBlasThreads(int threads) { openblas_set_num_threads(threads); }

void OpenBlas(int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}

void OpenBlas(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

void Eigen(int n, const float* a, const float* b, float* c) { EigenProduct(n, a, b, c); }
void Eigen(int n, const double* a, const double* b, double* c) { EigenProduct(n, a, b, c); }
void Eigen(int n, const int32_t* a, const int32_t* b, int32_t* c) { EigenProduct(n, a, b, c); }

absl::StatusOr<std::unique_ptr<XnnpackProduct>> XnnpackProduct::Create(int n, const float* b) {
  static const xnn_status initialized = xnn_initialize(/*allocator=*/nullptr);
  if (initialized != xnn_status_success) return XnnpackError("xnn_initialize", initialized);
  // A fully connected layer computes input · kernel^T; XNN_FLAG_TRANSPOSE_WEIGHTS says that the
  // kernel is stored [input channels][output channels], which is B as it is.
  constexpr float kInf = std::numeric_limits<float>::infinity();
  xnn_operator_t op = nullptr;
  const xnn_status status = xnn_create_fully_connected_nc_f32(
      /*input_channels=*/n, /*output_channels=*/n, /*input_stride=*/n, /*output_stride=*/n, b,
      /*bias=*/nullptr, -kInf, kInf, XNN_FLAG_TRANSPOSE_WEIGHTS, &op);
  if (status != xnn_status_success) return XnnpackError("creating the operator", status);
  return std::unique_ptr<XnnpackProduct>(new XnnpackProduct(n, op));
}

XnnpackProduct::~XnnpackProduct() { xnn_delete_operator(op_); }

absl::Status XnnpackProduct::Multiply(const float* a, float* c) {
  xnn_status status = xnn_setup_fully_connected_nc_f32(op_, /*batch_size=*/n_, a, c,
                                                       /*threadpool=*/nullptr);
  if (status != xnn_status_success) return XnnpackError("setup", status);
  status = xnn_run_operator(op_, /*threadpool=*/nullptr);
  if (status != xnn_status_success) return XnnpackError("run", status);
  return absl::OkStatus();
}

}  // namespace matmul
