// The 4PL by variable projection (Golub-Pereyra): Top and Bottom enter the model linearly, so for
// any (LogIC50, HillSlope) their best values inside their bounds come from a 2x2 weighted linear
// least-squares problem, solved exactly (a box-constrained one when a bound is hit).
// A damped Newton iteration (Levenberg-Marquardt form) then runs on the free nonlinear
// parameters only (at most two). Its matrix is the Schur complement, over the plateaus, of the
// exact 4x4 Hessian of the SS: the exact Hessian of the projected SS, so convergence is quadratic
// even when the residuals are large, where Gauss-Newton (Kaufman's approximation) crawls. Damping
// as in LeastSquaresSolver (Marquardt scaling, Nielsen's update) and raised further whenever the
// damped matrix is not positive definite, so far from the optimum it is a safeguarded descent. Fewer unknowns, no plateau iterations and no
// heap allocation per iteration: this is the fast path of the dose-response fit and of each
// profile-likelihood refit.
//
// It gives up (ok = false) rather than guess: when the linear part is singular with no bound to
// settle it, when the eliminated block is not positive definite, or at non-finite values. The
// caller then uses the general LeastSquaresSolver, which also computes the covariance.
// An object keeps per-point scratch space sized at construction: use one per thread.
#pragma once

#include <limits>
#include <vector>

#include "assay/protocols/fit/least_squares.hpp"
#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {

struct SeparableSettings {
  int max_iterations = 200;           // Gauss-Newton matrices formed
  double step_tolerance = 1e-10;      // every |step_j| <= tol * (|p_j| + tol)
  double cost_tolerance = 1e-14;      // relative actual and predicted reductions
  double gradient_tolerance = 1e-12;  // max_j |J_j . r| / (|J_j| |r|)
  double initial_damping = 1e-3;      // relative to the Marquardt scaling
  bool final_gradient = true;         // SeparableResult::gradient wanted (one more pass)
};

struct SeparableResult {
  Logistic4Params params{};
  double cost = std::numeric_limits<double>::quiet_NaN();
  // J^T r at `params` (half the gradient of the SS), Top, Bottom, LogIC50, HillSlope. With
  // LogIC50 held, its entry is half the slope of the profile SS (envelope theorem). NaN unless
  // SeparableSettings::final_gradient.
  Logistic4Params gradient{};
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  bool ok = false;  // false: use the general solver instead (see above)
  Termination termination = Termination::max_iterations;
};

// A 4x4 system over (Top, Bottom, LogIC50, HillSlope); the nonlinear ones among them.
using Matrix4 = double[kLogistic4Params][kLogistic4Params];
inline constexpr int kNonlinearParams[2] = {kLogIc50, kHillSlope};
inline constexpr int kMaxLadderRungs = 16;
// A pivot of the eliminated plateau block this small relative to its diagonal: the plateaus are
// not determined by the data (the fast path gives up).
inline constexpr double kSingularPlateauPivot = 1e-13;

// The projected SS at one (LogIC50, HillSlope), Top and Bottom at their best, with half its
// gradient and half its exact Hessian in those two parameters (J^T r and the Schur complement).
struct ProjectedPoint {
  double ss = std::numeric_limits<double>::quiet_NaN();
  double gradient[2] = {};    // LogIC50, HillSlope
  double hessian[2][2] = {};
  double column_norm2[2] = {};  // squared Jacobian column norms, to judge the gradient by
  Logistic4Params params{};
  bool ok = false;  // false when the plateaus are undetermined or the values not finite
};

class SeparableLogistic4 {
 public:
  // Keeps a reference to `data`: it must outlive this object.
  explicit SeparableLogistic4(const CurveData& data);

  // Minimises the SS over the free parameters of `constraints`, starting the nonlinear ones
  // (LogIC50, HillSlope) from `start`; free Top and Bottom are solved for, not iterated.
  // The reference is valid until the next call.
  const SeparableResult& minimize(const CurveConstraints& constraints, const Logistic4Params& start,
                                  const SeparableSettings& settings = {});

  // The projected SS alone at (log_ic50, hill) (NaN when the plateaus are undetermined).
  double projected_ss(const CurveConstraints& constraints, double log_ic50, double hill);

  // Screening values of the projected SS at (log_ic50, hill0 * sqrt(2)^k) for k < count (at most
  // kMaxLadderRungs) into `ss` (NaN where the plateaus are undetermined): two exponentials per
  // point for the whole ladder (rung k + 2 squares rung k's), and the SS from the linear problem's
  // sums, which cancel: returns a bound on the error of every value (exact values come from
  // projected_ss).
  double projected_ss_ladder(const CurveConstraints& constraints, double log_ic50, double hill0,
                             int count, double* ss);

  // The projected SS and its derivatives at (log_ic50, hill); fixed flags of LogIC50 and
  // HillSlope are ignored, those of Top and Bottom (and their bounds) apply.
  ProjectedPoint project(const CurveConstraints& constraints, double log_ic50, double hill);

 private:
  struct Plateaus {
    double top = 0.0, bottom = 0.0;
    bool top_free = false, bottom_free = false;  // free and strictly inside its bounds
  };
  // Weighted sums of the linear problem in (Top, Bottom): columns s and 1 - s, response y.
  struct Gram {
    double ss = 0.0, sc = 0.0, cc = 0.0, sy = 0.0, cy = 0.0;
  };
  // Logistic fractions at (LogIC50, HillSlope), then the best plateaus; returns the SS
  // (+infinity when not finite, NaN when the plateaus are undetermined).
  double evaluate(const CurveConstraints& c, double log_ic50, double hill, Plateaus& plateaus);
  // The same from the fractions already in s_ and complement_.
  double fit_plateaus(const CurveConstraints& c, Plateaus& plateaus);
  // Best Top/Bottom inside their bounds (fixed ones keep their value); false when undetermined.
  bool solve_plateaus(const CurveConstraints& c, const Gram& gram, Plateaus& plateaus) const;
  // Half the Hessian of the SS (J^T J + sum r_i d2f_i), the gradient J^T r and the squared
  // Jacobian column norms over (Top, Bottom, LogIC50, HillSlope) at the last evaluated point.
  void newton_system(double log_ic50, double hill, const Plateaus& plateaus,
                     Matrix4& m, double* g, double* column_norm2) const;

  const CurveData& data_;
  std::vector<double> s_, complement_;
  SeparableResult result_;
};

}  // namespace assay::protocols::fit::detail
