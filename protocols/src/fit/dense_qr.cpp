// Householder QR, Givens damped solve, (R^T R)^-1 and Schur elimination; see dense_qr.hpp.
#include "fit/dense_qr.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace assay::protocols::fit::detail {

void householder_qr(std::span<double> a, int rows, int cols, std::span<const double> b,
                    std::span<double> r, std::span<double> qtb) {
  // Work on a copy of b so the caller's residuals stay intact; rows is small (a plate column).
  double b_work_stack[64];
  std::vector<double> b_heap;
  double* bw = b_work_stack;
  if (rows > 64) {
    b_heap.assign(b.begin(), b.end());
    bw = b_heap.data();
  } else {
    std::copy(b.begin(), b.begin() + rows, bw);
  }
  for (int k = 0; k < cols; ++k) {
    double* ak = a.data() + static_cast<std::size_t>(k) * rows;
    double sum_sq = 0.0;
    for (int i = k; i < rows; ++i) sum_sq += ak[i] * ak[i];
    const double norm = std::sqrt(sum_sq);
    if (norm == 0.0) {
      for (int j = k; j < cols; ++j) r[j * cols + k] = a[static_cast<std::size_t>(j) * rows + k];
      r[k * cols + k] = 0.0;
      continue;
    }
    const double alpha = ak[k] > 0 ? -norm : norm;
    // v = x - alpha e1, stored in ak[k..]; H = I - 2 v v^T / (v^T v), v^T v = 2 norm (norm + |x0|)
    ak[k] -= alpha;
    const double vtv = -2.0 * alpha * ak[k];  // = 2 * norm * (norm + |x0|)
    for (int j = k + 1; j < cols; ++j) {
      double* aj = a.data() + static_cast<std::size_t>(j) * rows;
      double dot = 0.0;
      for (int i = k; i < rows; ++i) dot += ak[i] * aj[i];
      const double f = 2.0 * dot / vtv;
      for (int i = k; i < rows; ++i) aj[i] -= f * ak[i];
    }
    double dot = 0.0;
    for (int i = k; i < rows; ++i) dot += ak[i] * bw[i];
    const double f = 2.0 * dot / vtv;
    for (int i = k; i < rows; ++i) bw[i] -= f * ak[i];
    r[k * cols + k] = alpha;
    for (int j = k + 1; j < cols; ++j) r[j * cols + k] = a[static_cast<std::size_t>(j) * rows + k];
    for (int i = k + 1; i < cols; ++i) r[k * cols + i] = 0.0;
  }
  for (int k = 0; k < cols; ++k) qtb[k] = bw[k];
}

void damped_solve(std::span<const double> r, int n, std::span<const double> c,
                  std::span<const double> d, std::span<double> x) {
  // s = R (copied), rhs = c; fold each damping row d_j e_j into s by Givens rotations.
  double s_stack[144], e_stack[12], rhs_stack[12];
  std::vector<double> heap;
  double *s = s_stack, *e = e_stack, *rhs = rhs_stack;
  if (n > 12) {
    heap.resize(static_cast<std::size_t>(n) * n + 2 * n);
    s = heap.data();
    e = s + n * n;
    rhs = e + n;
  }
  std::copy(r.begin(), r.begin() + n * n, s);
  std::copy(c.begin(), c.begin() + n, rhs);
  for (int j = 0; j < n; ++j) {
    if (d[j] == 0.0) continue;
    std::fill(e, e + n, 0.0);
    e[j] = d[j];
    double e_rhs = 0.0;
    for (int k = j; k < n; ++k) {
      if (e[k] == 0.0) continue;
      double& skk = s[k * n + k];
      const double h = std::sqrt(skk * skk + e[k] * e[k]);
      const double cs = skk / h, sn = e[k] / h;
      for (int l = k; l < n; ++l) {
        const double top = s[l * n + k];
        s[l * n + k] = cs * top + sn * e[l];
        e[l] = -sn * top + cs * e[l];
      }
      const double top = rhs[k];
      rhs[k] = cs * top + sn * e_rhs;
      e_rhs = -sn * top + cs * e_rhs;
    }
  }
  double max_pivot = 0.0;
  for (int k = 0; k < n; ++k) max_pivot = std::max(max_pivot, std::abs(s[k * n + k]));
  for (int k = n - 1; k >= 0; --k) {
    double sum = rhs[k];
    for (int l = k + 1; l < n; ++l) sum -= s[l * n + k] * x[l];
    const double pivot = s[k * n + k];
    x[k] = (std::abs(pivot) > 1e-300 * max_pivot && pivot != 0.0) ? sum / pivot : 0.0;
  }
}

bool inverse_normal_matrix(std::span<const double> r, int n, double rcond, std::span<double> out) {
  double max_pivot = 0.0;
  for (int k = 0; k < n; ++k) max_pivot = std::max(max_pivot, std::abs(r[k * n + k]));
  for (int k = 0; k < n; ++k) {
    if (!(std::abs(r[k * n + k]) > rcond * max_pivot)) return false;
  }
  // rinv = R^-1 (upper triangular), column by column. Unsigned indices: with int ones GCC -O2
  // warns (-Waggressive-loop-optimizations) about an overflow that cannot happen here.
  const std::size_t m = static_cast<std::size_t>(n);
  std::vector<double> rinv(m * m, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    rinv[j * m + j] = 1.0 / r[j * m + j];
    for (std::size_t i = j; i-- > 0;) {
      double sum = 0.0;
      for (std::size_t k = i + 1; k <= j; ++k) sum += r[k * m + i] * rinv[j * m + k];
      rinv[j * m + i] = -sum / r[i * m + i];
    }
  }
  // (R^T R)^-1 = R^-1 R^-T
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      double sum = 0.0;
      for (std::size_t k = std::max(i, j); k < m; ++k) sum += rinv[k * m + i] * rinv[k * m + j];
      out[j * m + i] = sum;
    }
  }
  return true;
}

bool eliminate_leading(double (&m)[4][4], double* g, int k, int count, double rcond) {
  for (int e = 0; e < count; ++e) {
    const double pivot = m[e][e];
    double diagonal_scale = 0.0;
    for (int i = e; i < k; ++i) diagonal_scale = std::max(diagonal_scale, std::abs(m[i][i]));
    if (!(pivot > rcond * diagonal_scale)) return false;
    for (int i = e + 1; i < k; ++i) {
      const double f = m[i][e] / pivot;
      for (int j = e + 1; j < k; ++j) m[i][j] -= f * m[e][j];
      g[i] -= f * g[e];
    }
  }
  return true;
}

}  // namespace assay::protocols::fit::detail
