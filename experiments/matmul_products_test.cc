// Every product of the blog experiment against a plain reference in long double (or int64).
#include "experiments/matmul_products.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"

namespace {

template <typename T>
std::vector<T> Random(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<T> m(static_cast<size_t>(n) * n);
  for (T& x : m) {
    if constexpr (std::is_integral_v<T>) {
      x = std::uniform_int_distribution<T>(0, 99)(rng);  // as in the blog post
    } else {
      x = std::uniform_real_distribution<T>(-1, 1)(rng);
    }
  }
  return m;
}

// C = A · B in wide arithmetic, and the tolerance of each element for type T: the sum of
// |a_ik b_kj| times a few units of T's rounding (exact for integers).
template <typename T>
void ExpectProduct(int n, const std::vector<T>& a, const std::vector<T>& b,
                   const std::vector<T>& c) {
  using Wide = std::conditional_t<std::is_integral_v<T>, int64_t, long double>;
  const double unit = std::is_integral_v<T> ? 0 : 4 * n * std::numeric_limits<T>::epsilon();
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      Wide sum = 0, magnitude = 0;
      for (int k = 0; k < n; ++k) {
        sum += Wide{a[i * n + k]} * b[k * n + j];
        magnitude += std::abs(Wide{a[i * n + k]} * b[k * n + j]);
      }
      ASSERT_NEAR(c[i * n + j], static_cast<double>(sum), unit * static_cast<double>(magnitude))
          << "c[" << i << "][" << j << "]";
    }
  }
}

template <typename T>
class MatmulProducts : public ::testing::Test {};
using Types = ::testing::Types<float, double, int32_t>;
TYPED_TEST_SUITE(MatmulProducts, Types);

TYPED_TEST(MatmulProducts, OwnLoopsBothOrders) {
  constexpr int kN = 100;  // the benchmark's size
  const auto a = Random<TypeParam>(kN, 1), b = Random<TypeParam>(kN, 2);
  std::vector<TypeParam> c(a.size(), 7);
  matmul::LoopsIjk<TypeParam, kN>(a.data(), b.data(), c.data());
  ExpectProduct(kN, a, b, c);
  std::fill(c.begin(), c.end(), 7);
  matmul::LoopsIkj<TypeParam, kN>(a.data(), b.data(), c.data());
  ExpectProduct(kN, a, b, c);
}

TYPED_TEST(MatmulProducts, Eigen) {
  for (int n : {100, 37}) {
    const auto a = Random<TypeParam>(n, 3), b = Random<TypeParam>(n, 4);
    std::vector<TypeParam> c(a.size(), 7);
    matmul::Eigen(n, a.data(), b.data(), c.data());
    ExpectProduct(n, a, b, c);
  }
}

template <typename T>
void ExpectOpenBlas(int threads) {
  matmul::SetOpenBlasThreads(threads);
  for (int n : {100, 37, 300}) {
    const auto a = Random<T>(n, 5), b = Random<T>(n, 6);
    std::vector<T> c(a.size(), 7);
    matmul::OpenBlas(n, a.data(), b.data(), c.data());
    ExpectProduct(n, a, b, c);
  }
}

TEST(OpenBlas, FloatAndDoubleOnOneAndTwoThreads) {
  for (int threads : {1, 2}) {
    ExpectOpenBlas<float>(threads);
    ExpectOpenBlas<double>(threads);
  }
}

TEST(Xnnpack, PackedOperatorMultipliesAnyA) {
  for (int n : {100, 37}) {
    const auto b = Random<float>(n, 7);
    absl::StatusOr<std::unique_ptr<matmul::XnnpackProduct>> product =
        matmul::XnnpackProduct::Create(n, b.data());
    ASSERT_TRUE(product.ok()) << product.status();
    for (uint32_t seed : {8, 9}) {  // the packed B serves every A
      const auto a = Random<float>(n, seed);
      std::vector<float> c(a.size(), 7);
      ASSERT_TRUE((*product)->Multiply(a.data(), c.data()).ok());
      ExpectProduct(n, a, b, c);
    }
  }
}

}  // namespace
