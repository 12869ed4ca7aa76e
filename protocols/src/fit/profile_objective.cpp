// Refits with LogIC50 held, for the profile interval; see profile_objective.hpp.
#include "fit/profile_objective.hpp"

#include <algorithm>
#include <cmath>

namespace assay::protocols::fit::detail {

ProfileObjective::ProfileObjective(const CurveData& data, const CurveConstraints& constraints)
    : model_(data.x, data.y, data.sqrt_weight),
      constraints_(constraints.to_solver()),
      held_(constraints),
      separable_(data) {
  constraints_.fixed[kLogIc50] = true;
  held_.fixed[kLogIc50] = true;
  options_.compute_covariance = false;
  options_.max_iterations = 100;
  options_.step_tolerance = 1e-8;
  options_.cost_tolerance = 1e-12;
  options_.retry_unscaled = false;  // warm starts are close; a stuck run is rare
  options_.bound_step = false;
  // The SS is then exact to ~1e-16 relative (its error is the square of the gradient cosine).
  // A last Newton step below 1e-7 (relative) leaves an SS error of order its square squared.
  fast_.max_iterations = 100;
  fast_.gradient_tolerance = 1e-8;
  fast_.step_tolerance = 1e-7;
}

ProfileValue ProfileObjective::operator()(double log_ic50, Logistic4Params& params) {
  ++evaluations_;
  params[kLogIc50] = log_ic50;
  held_.fixed_value[kLogIc50] = held_.lower[kLogIc50] = held_.upper[kLogIc50] = log_ic50;
  const SeparableResult& fast = separable_.minimize(held_, params, fast_);
  if (fast.ok && fast.converged) {
    params = fast.params;
    // Envelope theorem: the profile's slope is the partial derivative at the constrained optimum.
    return {fast.cost, 2.0 * fast.gradient[kLogIc50]};
  }
  const LeastSquaresResult& r = solver_.solve(model_, params, constraints_, options_);
  if (!std::isfinite(r.cost)) {
    failed_ = true;
    return {};
  }
  std::copy(r.params.begin(), r.params.end(), params.begin());
  return {r.cost};
}

void ProfileObjective::approach(double log_ic50, Logistic4Params& params, int steps) {
  ++evaluations_;
  held_.fixed_value[kLogIc50] = held_.lower[kLogIc50] = held_.upper[kLogIc50] = log_ic50;
  SeparableSettings few = fast_;
  few.max_iterations = steps;
  few.final_gradient = false;
  const SeparableResult& r = separable_.minimize(held_, params, few);
  if (r.ok) params = r.params;
  params[kLogIc50] = log_ic50;
}

double ProfileObjective::projected_ss(double log_ic50, double hill) {
  ++evaluations_;
  return separable_.projected_ss(held_, log_ic50, hill);
}

ProjectedPoint ProfileObjective::project(double log_ic50, double hill) {
  ++evaluations_;
  return separable_.project(held_, log_ic50, hill);
}

double ProfileObjective::projected_ss_ladder(double log_ic50, double hill0, int count, double* ss) {
  ++evaluations_;
  return separable_.projected_ss_ladder(held_, log_ic50, hill0, count, ss);
}

}  // namespace assay::protocols::fit::detail
