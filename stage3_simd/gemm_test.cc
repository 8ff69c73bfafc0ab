// Every kernel this CPU can run, against a naive double-precision triple loop: all four
// transpositions, beta 0 and 1, sizes with tails in every dimension, padded strides, and tiny
// cache blocks that make every blocking loop turn. Plus a check that dispatch offers exactly
// the kernels the CPU supports, so a build or dispatch mistake cannot hide behind a fallback.
#include "stage3_simd/gemm.h"

#include "stage2_float/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace stage3 {
namespace {

constexpr Transpose kNo = Transpose::kNo, kYes = Transpose::kYes;
const float kNaN = std::numeric_limits<float>::quiet_NaN();
// Sizes with a tail in every dimension for every kernel's mr, nr and the cache blocks.
const int kSizes[] = {1, 7, 17, 63, 65, 784, 785};

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

// Runs C = op(A) op(B) + beta C with each kernel and each beta, against a naive triple loop in
// double. The tolerance scales with sum |a||b| (the size of the rounding errors float can make),
// not with the result, which may cancel to near zero.
void Check(const std::vector<const Kernel*>& kernels, Transpose ta, Transpose tb, int m, int n,
           int k, int pad = 0, std::vector<float> betas = {0.0f, 1.0f}) {
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

  for (const Kernel* kernel : kernels) {
    for (float beta : betas) {
      const std::string what = std::string(kernel->name) + " " + Name(ta) + Name(tb) +
                               " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                               " k=" + std::to_string(k) + " pad=" + std::to_string(pad) +
                               " beta=" + std::to_string(beta);
      // With beta = 0 the old C must be ignored: NaN there would leak into a read-then-scale.
      std::vector<float> c = c0;
      if (beta == 0.0f) {
        for (int i = 0; i < m; ++i) std::fill_n(c.begin() + static_cast<size_t>(i) * ldc, n, kNaN);
      }
      for (int i = 0; i < m; ++i) {  // a sentinel in C's padding catches writes past the row
        for (int j = n; j < ldc; ++j) c[static_cast<size_t>(i) * ldc + j] = 12345.0f;
      }
      Gemm(*kernel, ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);

      int bad = 0;
      for (int i = 0; i < m && bad < 5; ++i) {
        for (int j = 0; j < ldc && bad < 5; ++j) {
          const size_t at = static_cast<size_t>(i) * ldc + j;
          double want = 12345.0, tolerance = 0.0;
          if (j < n) {
            const size_t ij = static_cast<size_t>(i) * n + j;
            const double old = beta == 0.0f ? 0.0 : beta * double{c0[at]};
            want = product[ij] + old;
            tolerance = 1e-5 * (abs_sum[ij] + std::abs(old)) + 1e-6;
          }
          // Written so that NaN fails.
          if (!(std::abs(c[at] - want) <= tolerance)) {
            ADD_FAILURE() << what << ": C(" << i << ", " << j << ") = " << c[at] << ", want "
                          << want << " +- " << tolerance;
            ++bad;
          }
        }
      }
    }
  }
}

TEST(GemmTest, AvailableKernelsMatchTheCpu) {
  const std::vector<const Kernel*> kernels = AvailableKernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(&DefaultKernel(), kernels.front());
  std::vector<std::string> names;
  for (const Kernel* kernel : kernels) names.push_back(kernel->name);
  auto has = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  EXPECT_TRUE(has("portable"));
  EXPECT_EQ(names.back(), "portable");  // always there, and the slowest
#if defined(__x86_64__)
  // A build or dispatch mistake must not quietly fall back to a slower kernel.
  EXPECT_EQ(has("avx512"), __builtin_cpu_supports("avx512f") != 0);
  EXPECT_EQ(has("avx2"), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_EQ(names.front(), "avx512");
  }
#else
  EXPECT_EQ(names.size(), 1u);
#endif
  for (const Kernel* kernel : kernels) {
    EXPECT_GT(kernel->mr, 0);
    EXPECT_EQ(kernel->mc % kernel->mr, 0) << kernel->name;
    EXPECT_EQ(kernel->nc % kernel->nr, 0) << kernel->name;
  }
}

// Every pair of sizes for m and n, both betas, all four transpositions; k small enough to stay
// quick (k's own tails and blocks are covered by DeepK).
TEST(GemmTest, AllSizesOfMAndN) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int m : kSizes) {
        for (int n : kSizes) {
          for (int k : {1, 17, 65}) Check(AvailableKernels(), ta, tb, m, n, k);
        }
      }
    }
  }
}

// Long k: several kc blocks (unevenly split at 785), each accumulating onto the previous one.
TEST(GemmTest, DeepK) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int k : kSizes) {
        for (int mn : {7, 65}) Check(AvailableKernels(), ta, tb, mn, 72 - mn, k);
      }
      Check(AvailableKernels(), ta, tb, 300, 200, 1000);
    }
  }
}

// The calls the MLP's training and evaluation make (batch 64, a last batch of 17, evaluation 500).
TEST(GemmTest, NetworkShapes) {
  for (int batch : {64, 17, 1, 500}) {
    Check(AvailableKernels(), kNo, kNo, batch, 128, 784);   // hidden = X W1
    Check(AvailableKernels(), kNo, kNo, batch, 10, 128);    // logits = H W2
    Check(AvailableKernels(), kYes, kNo, 784, 128, batch);  // dW1 = X^T dH
    Check(AvailableKernels(), kYes, kNo, 128, 10, batch);   // dW2 = H^T dY
    Check(AvailableKernels(), kNo, kYes, batch, 128, 10);   // dH = dY W2^T
    Check(AvailableKernels(), kNo, kYes, batch, 784, 128);  // dX = dH W1^T
  }
}

// Leading dimensions larger than the rows: the padding (NaN in A and B, a sentinel in C) must
// be neither read nor written.
TEST(GemmTest, LeadingDimensions) {
  for (Transpose ta : {kNo, kYes}) {
    for (Transpose tb : {kNo, kYes}) {
      for (int pad : {1, 3, 16}) {
        Check(AvailableKernels(), ta, tb, 65, 63, 17, pad);
        Check(AvailableKernels(), ta, tb, 7, 785, 65, pad);
        Check(AvailableKernels(), ta, tb, 64, 128, 784, pad);
      }
    }
  }
}

// Tiny cache blocks make every blocking loop run many times, with tails, on small matrices.
TEST(GemmTest, TinyBlocks) {
  for (const Kernel* kernel : AvailableKernels()) {
    for (int scale : {1, 2}) {
      Kernel tiny = *kernel;
      tiny.mc = scale * tiny.mr;
      tiny.kc = 3 * scale;
      tiny.nc = scale * tiny.nr;
      for (Transpose ta : {kNo, kYes}) {
        for (Transpose tb : {kNo, kYes}) {
          for (int m : {1, 17, 65}) {
            for (int n : {7, 65, 100}) Check({&tiny}, ta, tb, m, n, 20, 1);
          }
        }
      }
    }
  }
}

TEST(GemmTest, OtherBetaScalesC) {
  Check(AvailableKernels(), kNo, kYes, 17, 33, 65, 2, {0.5f, -2.0f});
}

TEST(GemmTest, EmptyKAppliesBeta) {
  for (const Kernel* kernel : AvailableKernels()) {
    std::vector<float> c = {1, 2, 3, 4, 5, 6};
    Gemm(*kernel, kNo, kNo, 2, 3, 0, nullptr, 1, nullptr, 3, 1.0f, c.data(), 3);
    EXPECT_EQ(c, (std::vector<float>{1, 2, 3, 4, 5, 6})) << kernel->name;
    Gemm(*kernel, kNo, kNo, 2, 3, 0, nullptr, 1, nullptr, 3, 0.0f, c.data(), 3);
    EXPECT_EQ(c, std::vector<float>(6, 0.0f)) << kernel->name;
  }
}

// The plain overload goes through DefaultKernel().
TEST(GemmTest, DefaultGemm) {
  const float a[] = {1, 2, 3, 4, 5, 6};  // 2 x 3
  const float b[] = {1, 0, 0, 1, 1, 1};  // 3 x 2
  float c[] = {10, 20, 30, 40};
  Gemm(kNo, kNo, 2, 2, 3, a, 3, b, 2, 1.0f, c, 2);
  EXPECT_EQ(std::vector<float>(c, c + 4), (std::vector<float>{14, 25, 40, 51}));
}

// Each kernel against the stage it replaces: stage 2's loops on the training step's products.
TEST(GemmTest, MatchesStage2) {
  struct Shape {
    Transpose ta, tb;
    int m, n, k;
  };
  const Shape shapes[] = {{kNo, kNo, 64, 128, 784},  {kYes, kNo, 784, 128, 64},
                          {kNo, kYes, 64, 784, 128}, {kNo, kNo, 17, 10, 128},
                          {kYes, kNo, 128, 10, 17},  {kNo, kYes, 17, 128, 10}};
  std::mt19937 rng(7);
  for (const Shape& s : shapes) {
    const int lda = s.ta == kNo ? s.k : s.m, ldb = s.tb == kNo ? s.n : s.k;
    const std::vector<float> a = Random(s.ta == kNo ? s.m : s.k, lda, 0, rng);
    const std::vector<float> b = Random(s.tb == kNo ? s.k : s.n, ldb, 0, rng);
    std::vector<float> expected(static_cast<size_t>(s.m) * s.n);
    stage2::Gemm(s.ta == kNo ? stage2::Transpose::kNo : stage2::Transpose::kYes,
                 s.tb == kNo ? stage2::Transpose::kNo : stage2::Transpose::kYes, s.m, s.n, s.k,
                 a.data(), lda, b.data(), ldb, 0.0f, expected.data(), s.n);
    for (const Kernel* kernel : AvailableKernels()) {
      std::vector<float> c(expected.size());
      Gemm(*kernel, s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n);
      for (size_t i = 0; i < c.size(); ++i) {
        // Values are sums of k products of [-1, 1] numbers; float rounding differs by order.
        ASSERT_NEAR(c[i], expected[i], 1e-5f * s.k) << kernel->name << " m=" << s.m << " n=" << s.n
                                                    << " k=" << s.k << " at " << i;
      }
    }
  }
}

}  // namespace
}  // namespace stage3
