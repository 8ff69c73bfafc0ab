// XNNPACK through its fully-connected operator, the only matrix product its API offers (Debian's
// 2022-02-16 snapshot). XNNPACK is built for inference: creating the operator copies ("packs")
// the weights into the layout its micro-kernels read, once, to be run on many inputs. Training
// changes the weights at every step, so here the operator is re-created whenever they change:
// - the forward layer (FusedDense): one operator per layer, re-packed after each SGD step and
//   reused by every Forward until the next one (the test-set evaluation runs 20 batches on one
//   packing). It also adds the bias and applies the ReLU (output_min = 0) on its way out.
// - every other product (the GEMM): created, run and deleted per call. The operator computes
//   out[m][n] = in[m][k] · W, with W as [k][n] (XNN_FLAG_TRANSPOSE_WEIGHTS) or [n][k], so op(B)
//   of either kind is packed as it is, but op(A) = A^T (the weight gradient, X^T · delta) has to
//   be transposed into a buffer first.
// README.md measures what the packing and the transposes cost.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/profile.h"
#include "stage5_threads/backends.h"

namespace stage5 {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();
// XNNPACK may read this far past the end of its input (XNN_EXTRA_BYTES).
constexpr int kPadFloats = (XNN_EXTRA_BYTES + sizeof(float) - 1) / sizeof(float);

// A failure here is a bug or out of memory, not bad input: say which call, and stop.
void Check(xnn_status status, const char* call) {
  if (status == xnn_status_success) return;
  std::fprintf(stderr, "stage5 xnnpack backend: %s failed with xnn_status %d\n", call, status);
  std::abort();
}

struct OperatorDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
using Operator = std::unique_ptr<xnn_operator, OperatorDeleter>;

// out[m][n] = min(max(in[m][k] · W + bias, lo), hi) for any m, with W packed now. `k_by_n`: the
// weights are [k][n] (our layout); otherwise [n][k]. `bias` may be null.
Operator CreateFullyConnected(int k, int n, int in_stride, int out_stride, const float* weights,
                              bool k_by_n, const float* bias, float lo, float hi) {
  PROFILE_SCOPE("XNNPACK packing");  // creating an operator packs its weights
  xnn_operator_t op = nullptr;
  Check(xnn_create_fully_connected_nc_f32(k, n, in_stride, out_stride, weights, bias, lo, hi,
                                          k_by_n ? XNN_FLAG_TRANSPOSE_WEIGHTS : 0, &op),
        "xnn_create_fully_connected_nc_f32");
  return Operator(op);
}

// XNNPACK's own threads (set_threads); null runs on the calling thread.
pthreadpool_t g_threadpool = nullptr;

void RunRows(xnn_operator_t op, int rows, const float* in, float* out) {
  Check(xnn_setup_fully_connected_nc_f32(op, rows, in, out, g_threadpool),
        "xnn_setup_fully_connected_nc_f32");
  Check(xnn_run_operator(op, g_threadpool), "xnn_run_operator");
}

// Runs `op` on m rows of `in`. XNNPACK may read kPadFloats past a row; within the matrix that is
// the next row, so only the last rows' over-read could leave the caller's buffer. Those run
// from a copy with room behind it (one row of 784 floats at the model's shapes).
void Run(xnn_operator_t op, const float* in, int m, int k, int in_stride, float* out,
         int out_stride) {
  const int tail = std::min(m, (kPadFloats + in_stride - 1) / in_stride);
  if (m > tail) RunRows(op, m - tail, in, out);
  thread_local std::vector<float> padded;
  const float* first = in + static_cast<size_t>(m - tail) * in_stride;
  padded.assign(first, first + static_cast<size_t>(tail - 1) * in_stride + k);
  padded.resize(padded.size() + kPadFloats);
  RunRows(op, tail, padded.data(), out + static_cast<size_t>(m - tail) * out_stride);
}

// dst[cols][rows] (dense, with room for XNNPACK's over-read) = src[rows][cols]^T, in tiles that
// stay in the L1 cache while they are read along rows and written along columns.
void TransposeInto(const float* src, int rows, int cols, int ld, std::vector<float>& dst) {
  PROFILE_SCOPE("XNNPACK transpose");
  constexpr int kTile = 16;
  dst.resize(static_cast<size_t>(rows) * cols + kPadFloats);
  for (int r0 = 0; r0 < rows; r0 += kTile) {
    for (int c0 = 0; c0 < cols; c0 += kTile) {
      const int r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int c = c0; c < c1; ++c) {
        for (int r = r0; r < r1; ++r) dst[static_cast<size_t>(c) * rows + r] = src[r * ld + c];
      }
    }
  }
}

// C = op(A) · op(B) + beta · C with a fully-connected operator made for this one call.
void XnnpackGemm(common::Transpose transpose_a, common::Transpose transpose_b, int m, int n, int k,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  thread_local std::vector<float> a_rows, b_dense, product;
  if (k > 0) {
    if (transpose_a == common::Transpose::kYes) {  // the operator only reads inputs by rows
      TransposeInto(a, k, m, lda, a_rows);
      a = a_rows.data();
      lda = k;
    }
    const bool k_by_n = transpose_b == common::Transpose::kNo;
    const int b_rows = k_by_n ? k : n, b_cols = k_by_n ? n : k;
    if (ldb != b_cols) {  // the operator packs dense weights only
      b_dense.resize(static_cast<size_t>(b_rows) * b_cols);
      for (int r = 0; r < b_rows; ++r) std::copy_n(b + r * ldb, b_cols, &b_dense[r * b_cols]);
      b = b_dense.data();
    }
    // The operator overwrites its output; with beta != 0 the product goes aside and is added.
    float* out = c;
    int out_stride = ldc;
    if (beta != 0.0f) {
      product.resize(static_cast<size_t>(m) * n);
      out = product.data();
      out_stride = n;
    }
    const Operator op =
        CreateFullyConnected(k, n, lda, out_stride, b, k_by_n, nullptr, -kInfinity, kInfinity);
    Run(op.get(), a, m, k, lda, out, out_stride);
    if (beta == 0.0f) return;
  }
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float& cij = c[i * ldc + j];
      const float ab = k > 0 ? product[i * n + j] : 0.0f;
      cij = beta == 0.0f ? ab : ab + beta * cij;  // beta = 0 never reads C (it may hold NaN)
    }
  }
}

// The forward layer, fused: product, bias and ReLU in one operator, packed once per weights.
class XnnpackDense : public FusedDense {
 public:
  void Load(const common::Layer& layer, bool relu) override {
    inputs_ = layer.inputs;
    outputs_ = layer.outputs;
    op_ = CreateFullyConnected(inputs_, outputs_, inputs_, outputs_, layer.weights.data(),
                               /*k_by_n=*/true, layer.bias.data(), relu ? 0.0f : -kInfinity,
                               kInfinity);
  }

  void Forward(const float* in, int batch, float* out) override {
    if (batch > 0) Run(op_.get(), in, batch, inputs_, inputs_, out, outputs_);
  }

 private:
  int inputs_ = 0, outputs_ = 0;
  Operator op_;
};

absl::Status SetThreads(int threads) {
  // Once per process (it picks the micro-kernels for this CPU); never undone, since networks
  // may be made at any time.
  static const xnn_status status = xnn_initialize(/*allocator=*/nullptr);
  if (status != xnn_status_success) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--gemm=xnnpack: XNNPACK could not start on this machine (xnn_status ", status, ")"));
  }
  // XNNPACK's threads come from pthreadpool, which splits each operator's rows and columns
  // between them.
  if (g_threadpool != nullptr) pthreadpool_destroy(g_threadpool);
  g_threadpool = threads > 1 ? pthreadpool_create(threads) : nullptr;
  if (threads > 1 && g_threadpool == nullptr) {
    return absl::ResourceExhaustedError("--gemm=xnnpack: could not start pthreadpool's threads");
  }
  return absl::OkStatus();
}

std::string Details() {
  return absl::StrCat("XNNPACK fully-connected operator, weights re-packed per step, ",
                      g_threadpool == nullptr ? 1 : pthreadpool_get_threads_count(g_threadpool),
                      " pthreadpool threads");
}

std::unique_ptr<FusedDense> MakeDense() { return std::make_unique<XnnpackDense>(); }

}  // namespace

extern const Backend kXnnpackBackend = {"xnnpack", XnnpackGemm, Details, SetThreads, MakeDense};

}  // namespace stage5
