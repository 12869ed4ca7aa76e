// Small dense linear algebra for the least-squares solvers: Householder QR of a tall matrix, the
// Levenberg-Marquardt damped solve on R by Givens rotations, (R^T R)^-1, and the elimination
// (Schur complement) of leading unknowns of a small symmetric system. Matrices are
// column-major, sized for a handful of parameters. Pure functions, thread-safe.
#pragma once

#include <span>

namespace assay::protocols::fit::detail {

// QR of the rows x cols matrix `a` (column-major, rows >= cols; destroyed). Writes the upper
// triangle R (cols x cols, column-major) and the first cols entries of Q^T b.
void householder_qr(std::span<double> a, int rows, int cols, std::span<const double> b,
                    std::span<double> r, std::span<double> qtb);

// Solves min |R x - c|^2 + sum_j (d_j x_j)^2 for x, given upper-triangular R (n x n,
// column-major). A zero pivot after damping yields x_j = 0 for that direction.
void damped_solve(std::span<const double> r, int n, std::span<const double> c,
                  std::span<const double> d, std::span<double> x);

// (R^T R)^-1 for upper-triangular R (n x n, column-major) into `out` (n x n). Returns false when
// R is singular relative to its largest pivot (|R_jj| <= rcond * max |R_kk|).
bool inverse_normal_matrix(std::span<const double> r, int n, double rcond, std::span<double> out);

// Gaussian elimination without pivoting (the block is positive definite) of the first `count`
// unknowns of the symmetric k x k system (m, g), k <= 4: the trailing block of m becomes the Schur
// complement and the trailing g the reduced right-hand side. False when a pivot is not above
// `rcond` times the largest remaining diagonal entry.
bool eliminate_leading(double (&m)[4][4], double* g, int k, int count, double rcond);

}  // namespace assay::protocols::fit::detail
