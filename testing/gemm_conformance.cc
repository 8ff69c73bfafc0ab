#include "testing/gemm_conformance.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/gemm.h"
#include "gtest/gtest.h"

namespace conformance {
namespace {

using common::Transpose;
constexpr Transpose kNo = Transpose::kNo, kYes = Transpose::kYes;
const float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kSentinel = 12345.0f;

std::string Name(Transpose t) { return t == kNo ? "N" : "T"; }

// A stored matrix: `rows` x `cols` values with row stride cols + pad. The padding holds NaN, so
// reading past the end of a row poisons the result and the comparison fails.
std::vector<float> Random(int rows, int cols, int pad, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(rows) * (cols + pad), kNaN);
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < cols; ++j) values[static_cast<size_t>(r) * (cols + pad) + j] = uniform(rng);
  }
  return values;
}

// op(X) as a dense double matrix (rows x cols), from X stored with stride ld.
std::vector<double> Dense(const std::vector<float>& x, Transpose t, int rows, int cols, int ld) {
  std::vector<double> dense(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < cols; ++j) {
      dense[static_cast<size_t>(r) * cols + j] =
          t == kNo ? x[static_cast<size_t>(r) * ld + j] : x[static_cast<size_t>(j) * ld + r];
    }
  }
  return dense;
}

}  // namespace

void CheckGemm(const NamedGemm& gemm, Transpose ta, Transpose tb, int m, int n, int k, int pad,
               const std::vector<float>& betas) {
  std::mt19937 rng(m * 1000003 + n * 1009 + k);
  const int lda = (ta == kNo ? k : m) + pad, ldb = (tb == kNo ? n : k) + pad, ldc = n + pad;
  const std::vector<float> a = Random(ta == kNo ? m : k, lda - pad, pad, rng);
  const std::vector<float> b = Random(tb == kNo ? k : n, ldb - pad, pad, rng);
  const std::vector<float> c0 = Random(m, n, pad, rng);
  const std::vector<double> da = Dense(a, ta, m, k, lda), db = Dense(b, tb, k, n, ldb);
  std::vector<double> product(static_cast<size_t>(m) * n, 0.0), abs_sum(product.size(), 0.0);
  for (int i = 0; i < m; ++i) {
    for (int p = 0; p < k; ++p) {
      const double x = da[static_cast<size_t>(i) * k + p];
      for (int j = 0; j < n; ++j) {
        const double y = db[static_cast<size_t>(p) * n + j];
        product[static_cast<size_t>(i) * n + j] += x * y;
        abs_sum[static_cast<size_t>(i) * n + j] += std::abs(x * y);
      }
    }
  }

  for (float beta : betas) {
    const std::string what = gemm.name + " " + Name(ta) + Name(tb) + " m=" + std::to_string(m) +
                             " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                             " pad=" + std::to_string(pad) + " beta=" + std::to_string(beta);
    // With beta = 0 the old C must be ignored: NaN there would leak into a read-then-scale.
    std::vector<float> c = c0;
    if (beta == 0.0f) {
      for (int i = 0; i < m; ++i) std::fill_n(c.begin() + static_cast<size_t>(i) * ldc, n, kNaN);
    }
    for (int i = 0; i < m; ++i) {  // a sentinel in C's padding catches writes past the row
      for (int j = n; j < ldc; ++j) c[static_cast<size_t>(i) * ldc + j] = kSentinel;
    }
    gemm.gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);

    int bad = 0;
    for (int i = 0; i < m && bad < 5; ++i) {
      for (int j = 0; j < ldc && bad < 5; ++j) {
        const size_t at = static_cast<size_t>(i) * ldc + j;
        double want = kSentinel, tolerance = 0.0;
        if (j < n) {
          const size_t ij = static_cast<size_t>(i) * n + j;
          const double old = beta == 0.0f ? 0.0 : beta * double{c0[at]};
          want = product[ij] + old;
          tolerance = 1e-5 * (abs_sum[ij] + std::abs(old)) + 1e-6;
        }
        if (!(std::abs(c[at] - want) <= tolerance)) {  // written so that NaN fails
          ADD_FAILURE() << what << ": C(" << i << ", " << j << ") = " << c[at] << ", want " << want
                        << " +- " << tolerance;
          ++bad;
        }
      }
    }
  }
}

namespace {

// Sizes with a tail in every dimension for the register tiles and cache blocks of every kernel.
const int kSizes[] = {1, 7, 17, 63, 65, 784, 785};

// Every pair of sizes for m and n, both betas, all four transpositions; k small enough to stay
// quick (k's own tails and blocks are covered by DeepK).
TEST_P(GemmConformance, AllSizesOfMAndN) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int m : kSizes) {
        for (int n : kSizes) {
          for (int k : {1, 17, 65}) CheckGemm(GetParam(), ta, tb, m, n, k);
        }
      }
    }
  }
}

// Long k: several cache blocks of k (unevenly split at 785), each adding onto the previous one.
TEST_P(GemmConformance, DeepK) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int k : kSizes) {
        for (int mn : {7, 65}) CheckGemm(GetParam(), ta, tb, mn, 72 - mn, k);
      }
      CheckGemm(GetParam(), ta, tb, 300, 200, 1000);
    }
  }
}

// The calls the MLP's training and evaluation make (batch 64, a last batch of 17, one sample,
// evaluation chunks of 500).
TEST_P(GemmConformance, NetworkShapes) {
  for (int batch : {64, 17, 1, 500}) {
    CheckGemm(GetParam(), kNo, kNo, batch, 128, 784);   // hidden = X W1
    CheckGemm(GetParam(), kNo, kNo, batch, 10, 128);    // logits = H W2
    CheckGemm(GetParam(), kYes, kNo, 784, 128, batch);  // dW1 = X^T dH
    CheckGemm(GetParam(), kYes, kNo, 128, 10, batch);   // dW2 = H^T dY
    CheckGemm(GetParam(), kNo, kYes, batch, 128, 10);   // dH = dY W2^T
    CheckGemm(GetParam(), kNo, kYes, batch, 784, 128);  // dX = dH W1^T (a layer before W1)
  }
}

// Leading dimensions larger than the rows: the padding (NaN in A and B, a sentinel in C) must
// be neither read nor written.
TEST_P(GemmConformance, LeadingDimensions) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int pad : {1, 3, 16}) {
        CheckGemm(GetParam(), ta, tb, 65, 63, 17, pad);
        CheckGemm(GetParam(), ta, tb, 7, 785, 65, pad);
        CheckGemm(GetParam(), ta, tb, 64, 128, 784, pad);
      }
    }
  }
}

// Any beta scales C, as in BLAS; the training step only uses 0 and 1.
TEST_P(GemmConformance, OtherBetasScaleC) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      CheckGemm(GetParam(), ta, tb, 17, 33, 65, 2, {0.5f, -2.0f});
    }
  }
  // The smallest case, by hand: C = 10, A·B = 1, beta = 0.5 gives 1 + 5 = 6.
  const float a = 1, b = 1;
  float c = 10;
  GetParam().gemm(kNo, kNo, 1, 1, 1, &a, 1, &b, 1, 0.5f, &c, 1);
  EXPECT_EQ(c, 6.0f);
}

// A small product whose every value is exact in float, by hand.
TEST_P(GemmConformance, SmallExactProduct) {
  const float a[] = {1, 2, 3, 4, 5, 6};  // 2 x 3
  const float b[] = {1, 0, 0, 1, 1, 1};  // 3 x 2
  float c[] = {10, 20, 30, 40};
  GetParam().gemm(kNo, kNo, 2, 2, 3, a, 3, b, 2, 1.0f, c, 2);
  EXPECT_EQ(std::vector<float>(c, c + 4), (std::vector<float>{14, 25, 40, 51}));
}

// k = 0: C = beta C, nothing else read.
TEST_P(GemmConformance, EmptyKAppliesBeta) {
  std::vector<float> c = {1, 2, 3, 4, 5, 6};
  GetParam().gemm(kNo, kNo, 2, 3, 0, nullptr, 1, nullptr, 3, 1.0f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  GetParam().gemm(kNo, kNo, 2, 3, 0, nullptr, 1, nullptr, 3, 0.5f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3}));
  GetParam().gemm(kNo, kNo, 2, 3, 0, nullptr, 1, nullptr, 3, 0.0f, c.data(), 3);
  EXPECT_EQ(c, std::vector<float>(6, 0.0f));
}

}  // namespace
}  // namespace conformance
