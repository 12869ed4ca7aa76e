// Damped Newton iteration on the projected 4PL; see separable_logistic4.hpp.
#include <algorithm>
#include <cmath>

#include "fit/dense_qr.hpp"
#include "fit/separable_logistic4.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr double kAcceptRatio = 1e-4;  // minimum gain ratio for a step to be taken
constexpr double kMinDamping = 1e-20;
constexpr double kMaxDamping = 1e32;
constexpr int kUnknowns = kLogistic4Params;

// d = -(S + lambda D)^-1 g for k <= 2 unknowns by the closed-form inverse. False when the damped
// matrix is not positive definite (then more damping is needed).
bool damped_step(const double s[2][2], const double* g, const double* scaling, double lambda,
                 int k, double* d) {
  const double a00 = s[0][0] + lambda * scaling[0];
  if (!(a00 > 0)) return false;
  if (k == 1) {
    d[0] = -g[0] / a00;
    return std::isfinite(d[0]);
  }
  const double a11 = s[1][1] + lambda * scaling[1], a01 = s[0][1];
  const double det = a00 * a11 - a01 * a01;
  if (!(det > 0)) return false;
  d[0] = -(a11 * g[0] - a01 * g[1]) / det;
  d[1] = -(a00 * g[1] - a01 * g[0]) / det;
  return std::isfinite(d[0]) && std::isfinite(d[1]);
}

}  // namespace

const SeparableResult& SeparableLogistic4::minimize(const CurveConstraints& c,
                                                    const Logistic4Params& start,
                                                    const SeparableSettings& settings) {
  SeparableResult& res = result_;
  res = SeparableResult{};
  double theta[2];
  for (int t = 0; t < 2; ++t) {
    const int j = kNonlinearParams[t];
    theta[t] = c.fixed[j] ? c.fixed_value[j] : std::clamp(start[j], c.lower[j], c.upper[j]);
  }
  Plateaus pl;
  double cost = evaluate(c, theta[0], theta[1], pl);
  ++res.evaluations;
  if (!std::isfinite(cost)) {
    res.termination = Termination::non_finite;
    return res;
  }
  res.ok = true;
  double lambda = settings.initial_damping, nu = 2.0;
  double scaling[2] = {0.0, 0.0};  // largest projected curvature seen, per parameter
  const double xtol = settings.step_tolerance, ctol = settings.cost_tolerance;
  const int max_evaluations = 20 * settings.max_iterations;
  Matrix4 hessian;
  double gradient[kUnknowns] = {}, column_norm2[kUnknowns] = {};
  bool gradient_current = false;  // `gradient` belongs to the current point
  bool done = false;
  while (!done) {
    if (res.iterations >= settings.max_iterations) {
      res.termination = Termination::max_iterations;
      break;
    }
    ++res.iterations;
    if (cost == 0.0) {
      res.termination = Termination::zero_residual;
      res.converged = true;
      break;
    }
    newton_system(theta[0], theta[1], pl, hessian, gradient, column_norm2);
    gradient_current = true;
    // Unknowns of the step: the interior plateaus (eliminated), then the unblocked nonlinear ones.
    int index[kUnknowns], k = 0;
    if (pl.top_free) index[k++] = kTop;
    if (pl.bottom_free) index[k++] = kBottom;
    const int linear = k;
    int which[2], nonlinear = 0;
    double worst_cosine = 0.0;
    for (int t = 0; t < 2; ++t) {
      const int j = kNonlinearParams[t];
      if (c.fixed[j]) continue;
      const double g = gradient[j];
      const bool blocked = (theta[t] <= c.lower[j] && g > 0) || (theta[t] >= c.upper[j] && g < 0);
      if (blocked) continue;
      if (column_norm2[j] > 0)
        worst_cosine = std::max(worst_cosine, std::abs(g) / std::sqrt(column_norm2[j] * cost));
      index[k++] = j;
      which[nonlinear++] = t;
    }
    if (nonlinear == 0 || worst_cosine <= settings.gradient_tolerance) {
      res.termination = Termination::gradient_small;
      res.converged = true;
      break;
    }
    Matrix4 m;
    double g[kUnknowns];
    for (int a = 0; a < k; ++a) {
      g[a] = gradient[index[a]];
      for (int b = 0; b < k; ++b) m[a][b] = hessian[index[a]][index[b]];
    }
    if (!eliminate_leading(m, g, k, linear, kSingularPlateauPivot)) {
      res.ok = false;  // the plateaus are not determined by the data: general solver
      break;
    }
    double schur[2][2] = {}, reduced_gradient[2] = {}, damping_scale[2] = {};
    for (int a = 0; a < nonlinear; ++a) {
      reduced_gradient[a] = g[linear + a];
      for (int b = 0; b < nonlinear; ++b) schur[a][b] = m[linear + a][linear + b];
      // Marquardt's scaling on the projected problem: the curvature left after the plateaus are
      // eliminated (a HillSlope column nearly parallel to the plateau columns has little), or the
      // raw column norm while that curvature is not positive.
      double& d = scaling[which[a]];
      d = std::max(d, schur[a][a]);
      damping_scale[a] = d > 0 ? d : (column_norm2[kNonlinearParams[which[a]]] > 0 ? column_norm2[kNonlinearParams[which[a]]] : 1.0);
    }
    // Inner loop: raise the damping until a step lowers the cost.
    while (true) {
      double step[2] = {0.0, 0.0};
      if (!damped_step(schur, reduced_gradient, damping_scale, lambda, nonlinear, step)) {
        lambda *= nu;
        nu *= 2.0;
        if (lambda > kMaxDamping) {
          res.termination = Termination::damping_overflow;
          done = true;
          break;
        }
        continue;
      }
      double trial[2] = {theta[0], theta[1]};
      bool small_step = true;
      for (int a = 0; a < nonlinear; ++a) {
        const int t = which[a], j = kNonlinearParams[t];
        trial[t] = std::clamp(theta[t] + step[a], c.lower[j], c.upper[j]);
        step[a] = trial[t] - theta[t];
        if (std::abs(step[a]) > xtol * (std::abs(theta[t]) + xtol)) small_step = false;
      }
      // Reduction predicted by the quadratic model with the plateaus re-optimised: -2 g.d - d'Sd.
      double predicted = 0.0;
      for (int a = 0; a < nonlinear; ++a) {
        predicted -= 2.0 * reduced_gradient[a] * step[a];
        for (int b = 0; b < nonlinear; ++b) predicted -= step[a] * schur[a][b] * step[b];
      }
      Plateaus trial_pl;
      const double cost_new = evaluate(c, trial[0], trial[1], trial_pl);
      ++res.evaluations;
      const double actual = cost - cost_new;  // NaN when the plateaus were undetermined
      const double rho = predicted > 0 ? actual / predicted : -1.0;
      if (std::isfinite(cost_new) && rho > kAcceptRatio) {
        const double cost_old = cost;
        theta[0] = trial[0];
        theta[1] = trial[1];
        pl = trial_pl;
        cost = cost_new;
        gradient_current = false;
        const double u = 2.0 * rho - 1.0;
        lambda = std::max(kMinDamping, lambda * std::max(1.0 / 3.0, 1.0 - u * u * u));
        nu = 2.0;
        if (small_step) {
          res.termination = Termination::step_small;
          res.converged = done = true;
        } else if (actual <= ctol * cost_old && predicted <= ctol * cost_old) {
          res.termination = Termination::cost_converged;
          res.converged = done = true;
        }
        break;
      }
      if (small_step || (predicted <= ctol * cost && predicted >= 0 && std::isfinite(cost_new) &&
                         std::abs(actual) <= ctol * cost)) {
        // No representable step improves the cost: the minimum to machine precision.
        res.termination = small_step ? Termination::step_small : Termination::cost_converged;
        res.converged = done = true;
        break;
      }
      lambda *= nu;
      nu *= 2.0;
      if (lambda > kMaxDamping || res.evaluations >= max_evaluations) {
        res.termination = lambda > kMaxDamping ? Termination::damping_overflow
                                               : Termination::max_iterations;
        done = true;
        break;
      }
    }
  }
  // The last evaluation was at the current point unless a step was rejected after the last
  // Newton system, which then still belongs to it.
  if (res.ok && settings.final_gradient && !gradient_current)
    newton_system(theta[0], theta[1], pl, hessian, gradient, column_norm2);
  std::copy(gradient, gradient + kUnknowns, res.gradient.begin());
  if (!res.ok || (!settings.final_gradient && !gradient_current))
    res.gradient.fill(std::numeric_limits<double>::quiet_NaN());
  res.params[kTop] = pl.top;
  res.params[kBottom] = pl.bottom;
  res.params[kLogIc50] = theta[0];
  res.params[kHillSlope] = theta[1];
  res.cost = cost;
  return res;
}

}  // namespace assay::protocols::fit::detail
