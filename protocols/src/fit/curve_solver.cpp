// The least-squares fit of one curve: variable projection, then the general solver's check and
// covariance; see curve_problem.hpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "fit/curve_problem.hpp"
#include "fit/separable_logistic4.hpp"

namespace assay::protocols::fit::detail {
namespace {

// The SS is often bimodal in HillSlope (a gentle slope or a near-step through the same points).
// Probes half and twice the optimum's slope and the slope cap at its LogIC50; returns a slope
// whose projected SS is below `cost`, or NaN.
double better_slope(SeparableLogistic4& separable, const CurveConstraints& c,
                    const Logistic4Params& optimum, double cost) {
  const double hill = optimum[kHillSlope];
  double best_ss = cost, best_hill = std::numeric_limits<double>::quiet_NaN();
  if (c.fixed[kHillSlope] || hill == 0) return best_hill;
  const double cap = hill < 0 ? c.lower[kHillSlope] : c.upper[kHillSlope];
  for (double probe : {0.5 * hill, 2.0 * hill, cap}) {
    probe = std::clamp(probe, c.lower[kHillSlope], c.upper[kHillSlope]);
    if (!std::isfinite(probe) || probe == hill) continue;
    const double ss = separable.projected_ss(c, optimum[kLogIc50], probe);
    if (ss < best_ss) {
      best_ss = ss;
      best_hill = probe;
    }
  }
  return best_hill;
}

}  // namespace

LeastSquaresResult solve_curve(const CurveData& data, const CurveConstraints& constraints,
                               const Logistic4Params& start, bool fast_path) {
  LeastSquaresOptions lm;
  lm.max_iterations = 200;
  lm.step_tolerance = 1e-10;
  lm.cost_tolerance = 1e-14;
  lm.gradient_tolerance = 1e-12;
  lm.bound_step = false;  // the grid start is already near the optimum
  Logistic4Params from = start;
  int fast_iterations = 0;
  if (fast_path) {
    SeparableSettings fast;
    fast.max_iterations = lm.max_iterations;
    fast.step_tolerance = lm.step_tolerance;
    fast.cost_tolerance = lm.cost_tolerance;
    fast.gradient_tolerance = lm.gradient_tolerance;
    SeparableLogistic4 separable(data);
    const SeparableResult& projected = separable.minimize(constraints, start, fast);
    if (projected.ok && projected.converged) {
      from = projected.params;
      fast_iterations = projected.iterations;
      const double second_hill = better_slope(separable, constraints, from, projected.cost);
      if (std::isfinite(second_hill)) {
        const double first_cost = projected.cost;
        Logistic4Params second = from;
        second[kHillSlope] = second_hill;
        const SeparableResult& again = separable.minimize(constraints, second, fast);
        fast_iterations += again.iterations;
        if (again.ok && again.converged && again.cost < first_cost) from = again.params;
      }
    }
  }
  const Logistic4Model model(data.x, data.y, data.sqrt_weight);
  LeastSquaresResult result = solve_least_squares(model, from, constraints.to_solver(), lm);
  result.iterations += fast_iterations;
  return result;
}

}  // namespace assay::protocols::fit::detail
