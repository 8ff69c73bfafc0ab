#ifndef EXPERIMENTS_ABLATION_MATRICES_H_
#define EXPERIMENTS_ABLATION_MATRICES_H_

// The switches of the stage 1 -> stage 2 ablation that are not the element type: how a weight
// matrix is stored, and in which order the loops of a product run.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ablation {

// kDot: the textbook order, each output element a dot product (a sum the compiler may not
// reorder, so one add waits for the previous). kIkj: stage 2's order, each row of the result
// built by adding scaled rows, a stride-1 loop of independent multiply-adds.
enum class Loops { kDot, kIkj };

// Stage 1's storage: a std::vector per row, each row its own heap block.
template <typename T>
struct RowsMatrix : std::vector<std::vector<T>> {
  RowsMatrix(int rows, int cols) : std::vector<std::vector<T>>(rows, std::vector<T>(cols, T(0))) {}
  int rows() const { return static_cast<int>(this->size()); }
  int cols() const { return this->empty() ? 0 : static_cast<int>(this->front().size()); }
  void Fill(T value) {
    for (std::vector<T>& row : *this) row.assign(row.size(), value);
  }
};

// Stage 2's storage: one row-major buffer, indexed the same way (m[r][c]).
template <typename T>
class FlatMatrix {
 public:
  FlatMatrix(int rows, int cols)
      : rows_(rows), cols_(cols), data_(static_cast<size_t>(rows) * cols, T(0)) {}
  T* operator[](size_t r) { return data_.data() + r * cols_; }
  const T* operator[](size_t r) const { return data_.data() + r * cols_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  void Fill(T value) { std::fill(data_.begin(), data_.end(), value); }

 private:
  int rows_, cols_;
  std::vector<T> data_;
};

}  // namespace ablation

#endif  // EXPERIMENTS_ABLATION_MATRICES_H_
