// One point of the LogIC50 profile: the least SS over the other free parameters with LogIC50
// held. HillSlope is then the only nonlinear unknown, so the variable-projection solver does a 1-D
// Newton search warm-started from the caller's parameters; the general solver backs it up. Also
// gives the projected SS at a given (LogIC50, HillSlope) with its derivatives, for the joint
// Newton search of an interval end and for probing other slope branches.
// Holds scratch space: one object per profile, not shared between threads.
#pragma once

#include <limits>

#include "assay/protocols/fit/least_squares.hpp"
#include "fit/curve_problem.hpp"
#include "fit/separable_logistic4.hpp"

namespace assay::protocols::fit::detail {

struct ProfileValue {
  double ss = std::numeric_limits<double>::infinity();
  double slope = std::numeric_limits<double>::quiet_NaN();  // dSS/dLogIC50; NaN when unknown
};

class ProfileObjective {
 public:
  // Keeps references to `data`; it must outlive this object.
  ProfileObjective(const CurveData& data, const CurveConstraints& constraints);

  // The profile at `log_ic50`; `params` is the warm start and receives the constrained optimum.
  ProfileValue operator()(double log_ic50, Logistic4Params& params);
  // At most `steps` Newton steps of the refit at `log_ic50` from `params` (updated), converged
  // or not: a start for a search that does not need the exact profile there.
  void approach(double log_ic50, Logistic4Params& params, int steps);
  // SS at (log_ic50, hill) with Top and Bottom at their best (NaN when undetermined).
  double projected_ss(double log_ic50, double hill);
  ProjectedPoint project(double log_ic50, double hill);
  // Screening values of projected_ss at hill0 * sqrt(2)^k, k < count, and their error bound
  // (see SeparableLogistic4::projected_ss_ladder).
  double projected_ss_ladder(double log_ic50, double hill0, int count, double* ss);

  int evaluations() const { return evaluations_; }
  bool failed() const { return failed_; }  // a refit ended at a non-finite SS

 private:
  Logistic4Model model_;
  ParameterConstraints constraints_;  // for the general solver, LogIC50 fixed
  CurveConstraints held_;             // for the fast path, LogIC50 fixed at the current value
  LeastSquaresOptions options_;
  LeastSquaresSolver solver_;
  SeparableLogistic4 separable_;
  SeparableSettings fast_;
  int evaluations_ = 0;
  bool failed_ = false;
};

}  // namespace assay::protocols::fit::detail
