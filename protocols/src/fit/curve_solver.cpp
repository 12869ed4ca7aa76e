// The least-squares fit of one curve: variable projection, the covariance from a QR of the
// Jacobian at its optimum; the general solver when the fast path gives up. See curve_problem.hpp.
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

// The result at an optimum found by the fast path: SS, covariance from a QR of the Jacobian.
LeastSquaresResult at_optimum(const Logistic4Model& model, const CurveConstraints& c,
                              const Logistic4Params& optimum, Termination termination,
                              int iterations) {
  const int n = model.num_residuals();
  std::vector<double> residuals(n), jacobian(static_cast<std::size_t>(n) * kLogistic4Params);
  model.evaluate(optimum, residuals, jacobian);
  LeastSquaresResult result;
  result.params.assign(optimum.begin(), optimum.end());
  result.cost = 0.0;
  for (double r : residuals) result.cost += r * r;
  result.iterations = iterations;
  result.evaluations = iterations;
  result.converged = std::isfinite(result.cost);
  result.termination = termination;
  int free_index[kLogistic4Params], m = 0;
  result.at_bound.assign(kLogistic4Params, false);
  for (int j = 0; j < kLogistic4Params; ++j) {
    if (c.fixed[j]) continue;
    free_index[m++] = j;
    result.at_bound[j] = optimum[j] <= c.lower[j] || optimum[j] >= c.upper[j];
  }
  result.covariance_ok = result.converged &&
                         covariance_from_jacobian(jacobian, n, kLogistic4Params,
                                                  std::span<const int>(free_index, m), result.covariance);
  return result;
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
  const Logistic4Model model(data.x, data.y, data.sqrt_weight);
  Logistic4Params from = start;
  int fast_iterations = 0;
  if (fast_path) {
    SeparableSettings fast;
    fast.max_iterations = lm.max_iterations;
    fast.step_tolerance = lm.step_tolerance;
    fast.cost_tolerance = lm.cost_tolerance;
    fast.gradient_tolerance = lm.gradient_tolerance;
    fast.final_gradient = false;
    SeparableLogistic4 separable(data);
    const SeparableResult& projected = separable.minimize(constraints, start, fast);
    if (projected.ok && projected.converged) {
      from = projected.params;
      fast_iterations = projected.iterations;
      const double second_hill = better_slope(separable, constraints, from, projected.cost);
      Termination termination = projected.termination;
      if (std::isfinite(second_hill)) {
        const double first_cost = projected.cost;
        Logistic4Params second = from;
        second[kHillSlope] = second_hill;
        const SeparableResult& again = separable.minimize(constraints, second, fast);
        fast_iterations += again.iterations;
        if (again.ok && again.converged && again.cost < first_cost) {
          from = again.params;
          termination = again.termination;
        }
      }
      LeastSquaresResult result = at_optimum(model, constraints, from, termination, fast_iterations);
      if (result.covariance_ok) return result;
      // Rank-deficient there: the general solver decides (it may retry with unscaled damping).
    } else if (projected.ok) {
      // Not converged: typically an optimum crawling toward a cap (a step at the edge of the doses
      // with a plateau on its cap), where the SS is nearly flat. The general solver goes on from
      // there, which converges where a restart from the grid often does not.
      from = projected.params;
      fast_iterations = projected.iterations;
    }
  }
  LeastSquaresResult result = solve_least_squares(model, from, constraints.to_solver(), lm);
  result.iterations += fast_iterations;
  return result;
}

}  // namespace assay::protocols::fit::detail
