// General nonlinear least squares: a Levenberg-Marquardt solver with analytic Jacobians, box
// bounds and fixed parameters. Minimises sum_i r_i(p)^2 for a model that supplies the residuals
// r_i (already multiplied by sqrt(weight_i)) and their Jacobian dr_i/dp_j.
//
// Method: each iteration takes a Householder QR of the Jacobian of the free parameters and
// solves the damped subproblem min |J d + r|^2 + lambda sum_j D_j d_j^2 by Givens rotations on
// R (no normal equations, so ill-conditioned problems such as NIST Thurber keep their digits).
// D is Marquardt's scaling (largest squared column norm seen so far), which makes the iteration
// invariant to parameter units. lambda follows Nielsen's gain-ratio rule. Bounds are handled by
// projection plus an active set (a parameter at a bound whose gradient points outward is held
// there for that iteration). The covariance (J^T J)^-1 at the solution comes from a column-scaled
// QR, with a rank check.
//
// Threading: solve_least_squares is reentrant; the model is only read (evaluate is const).
// A LeastSquaresSolver keeps its scratch space between calls (no allocation after the first
// solve of a given size), so use one per thread; it is not safe to share one across threads.
#pragma once

#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace assay::protocols::fit {

class LeastSquaresModel {
 public:
  virtual ~LeastSquaresModel() = default;
  virtual int num_residuals() const = 0;
  virtual int num_parameters() const = 0;
  // Writes num_residuals() residuals and, when `jacobian` is not empty, the Jacobian in row-major
  // order (num_residuals() x num_parameters()). Non-finite output marks the point as infeasible.
  virtual void evaluate(std::span<const double> params, std::span<double> residuals,
                        std::span<double> jacobian) const = 0;
};

struct LeastSquaresOptions {
  int max_iterations = 400;           // Jacobian evaluations
  double step_tolerance = 1e-12;      // stop when every |step_j| <= tol * (|p_j| + tol)
  double cost_tolerance = 1e-15;      // stop when actual and predicted relative reductions <= tol
  double gradient_tolerance = 1e-14;  // stop when max_j |J_j . r| / (|J_j| |r|) <= tol
  double initial_damping = 1e-3;      // lambda, relative to the Marquardt scaling
  bool compute_covariance = true;
  // MINPACK-style trust bound on the scaled step (initially 100 x |D x0|). Guards poor starts of
  // general problems; the 4PL, which starts from a grid optimum, turns it off for speed.
  bool bound_step = true;
  // Marquardt scaling makes the steps unit-invariant but lets a parameter with a tiny Jacobian
  // column take a huge first step into a degenerate region (NIST BoxBOD from start 1 ends with
  // b2 -> infinity). When a run ends unconverged, rank-deficient, or with a Jacobian column that
  // vanished (norm below 1e-10 of its largest value during the run: the parameter ran off to
  // where the model no longer depends on it), rerun once from the start with Levenberg's unscaled
  // damping and keep the lower cost.
  bool retry_unscaled = true;
};

struct ParameterConstraints {
  std::vector<bool> fixed;      // empty = none fixed
  std::vector<double> lower;    // empty = -infinity for all
  std::vector<double> upper;    // empty = +infinity for all
};

enum class Termination {
  step_small,
  cost_converged,
  gradient_small,
  zero_residual,
  max_iterations,
  damping_overflow,  // no step reduced the cost although the gradient was not small
  non_finite,        // the model returned NaN/inf at the start point
  no_free_parameters,
};

std::string_view to_string(Termination termination);

struct LeastSquaresResult {
  std::vector<double> params;
  double cost = std::numeric_limits<double>::quiet_NaN();  // sum of squared residuals
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  Termination termination = Termination::max_iterations;
  // Unscaled covariance (J^T J)^-1 over all parameters, row-major p x p; rows/columns of fixed
  // parameters are 0. Multiply by s^2 = cost / df for standard errors. Empty when not computed.
  std::vector<double> covariance;
  bool covariance_ok = false;  // false when J is rank-deficient at the solution
  bool unscaled_retry = false;  // the answer came from the unscaled rerun
  std::vector<bool> at_bound;  // parameter sits on one of its bounds at the solution
};

// Reusable solver: repeated fits of the same size (profile likelihood, a plate of curves)
// allocate nothing. The returned reference is valid until the next solve().
class LeastSquaresSolver {
 public:
  const LeastSquaresResult& solve(const LeastSquaresModel& model, std::span<const double> start,
                                  const ParameterConstraints& constraints = {},
                                  const LeastSquaresOptions& options = {});

 private:
  void run(const LeastSquaresModel& model, std::span<const double> start,
           const ParameterConstraints& constraints, const LeastSquaresOptions& options,
           bool marquardt_scaling);
  void compute_covariance(const double* jacobian, int n, int p);
  LeastSquaresResult result_;
  std::vector<double> arena_;
  std::vector<int> free_index_, column_;
  bool column_vanished_ = false;
};

// The unscaled covariance (J^T J)^-1 of the parameters listed in `free_index`, from a QR of the
// column-scaled Jacobian (n x p, row-major) as LeastSquaresSolver computes it: `covariance` gets
// p x p values, 0 for the other parameters. Returns false (those entries NaN) when J is
// rank-deficient. For callers that found the optimum by other means.
bool covariance_from_jacobian(std::span<const double> jacobian, int n, int p,
                              std::span<const int> free_index, std::vector<double>& covariance);

// One-shot convenience wrapper around LeastSquaresSolver.
LeastSquaresResult solve_least_squares(const LeastSquaresModel& model,
                                       std::span<const double> start,
                                       const ParameterConstraints& constraints = {},
                                       const LeastSquaresOptions& options = {});

}  // namespace assay::protocols::fit
