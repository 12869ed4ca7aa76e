// Profile-likelihood interval of LogIC50; see profile_ci.hpp.
#include "fit/profile_ci.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fit/separable_logistic4.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr double kMinFirstStepLog = 1e-3;
constexpr double kMaxFirstStepLog = 1.0;
constexpr double kOvershoot = 1.25;  // bracketing steps aim this far past the predicted end
// A last Newton correction is applied without checking when its estimated error is below
// kErrorMargin * tolerance and the correction itself is small enough for that estimate to hold.
constexpr double kErrorMargin = 0.1;
constexpr double kMaxFinalCorrection = 1e-2;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxNewtonEndIterations = 12;
constexpr int kMaxNewtonEndRefits = 3;
// Largest joint step, relative to the distance from the estimate and to HillSlope (below 1: the
// slope keeps its sign).
constexpr double kMaxJointStepLog = 2.0;
constexpr double kMaxJointStepHill = 0.7;
// The joint search only ends once the HillSlope correction is this small (relative).
constexpr double kSettledHill = 1e-4;

// One point of the profile: the least SS with LogIC50 held, and its slope dSS/dLogIC50 (NaN when
// unknown).
struct ProfileValue {
  double ss = 0.0;
  double slope = std::numeric_limits<double>::quiet_NaN();
};

class ProfileObjective {
 public:
  ProfileObjective(const CurveData& data, const CurveConstraints& constraints)
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
    // SS is then exact to ~1e-16 relative (its error is the square of the gradient cosine).
    fast_.max_iterations = 100;
    fast_.gradient_tolerance = 1e-8;
  }
  // The profile at `log_ic50`; `params` is the warm start and receives the constrained optimum.
  // HillSlope is the only nonlinear unknown left, so the variable-projection solver does a 1-D
  // Newton search; the general solver backs it up.
  ProfileValue operator()(double log_ic50, Logistic4Params& params) {
    ++evaluations_;
    params[kLogIc50] = log_ic50;
    held_.fixed_value[kLogIc50] = held_.lower[kLogIc50] = held_.upper[kLogIc50] = log_ic50;
    const SeparableResult& fast = separable_.minimize(held_, params, fast_);
    if (fast.ok && fast.converged) {
      params = fast.params;
      return {fast.cost, 2.0 * fast.gradient[kLogIc50]};
    }
    const LeastSquaresResult& r = solver_.solve(model_, params, constraints_, options_);
    if (!std::isfinite(r.cost)) {
      failed_ = true;
      return {std::numeric_limits<double>::infinity()};
    }
    std::copy(r.params.begin(), r.params.end(), params.begin());
    return {r.cost};
  }
  // The projected SS with LogIC50 free, for the joint Newton search of an end.
  ProjectedPoint project(double log_ic50, double hill) {
    ++evaluations_;
    return separable_.project(held_, log_ic50, hill);
  }
  int evaluations() const { return evaluations_; }
  bool failed() const { return failed_; }

 private:
  Logistic4Model model_;
  ParameterConstraints constraints_;
  LeastSquaresOptions options_;
  LeastSquaresSolver solver_;
  CurveConstraints held_;
  SeparableLogistic4 separable_;
  SeparableSettings fast_;
  int evaluations_ = 0;
  bool failed_ = false;
};

// The end of one side as the root of {sqrt(SS - SSmin) - target, dSS/dHillSlope} in (LogIC50,
// HillSlope) jointly, by Newton's method on the projected SS: at an end the profile's HillSlope
// minimises the SS, so one Newton step here costs one evaluation instead of a whole refit. It
// starts at the asymptotic end with HillSlope on the tangent of the profile path and gives up
// (NaN) at the first sign of trouble: then the refit-based search below takes over.
double newton_end(ProfileObjective& objective, const CurveConstraints& c,
                  const Logistic4Params& best, const ProjectedPoint& at_best, double ss_min,
                  double target, double first_step, double direction, double limit, double tol) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double estimate = best[kLogIc50];
  if (!(at_best.hessian[1][1] > 0)) return nan;
  const double tangent = -at_best.hessian[0][1] / at_best.hessian[1][1];  // dHill/dLogIC50
  double x = estimate + direction * std::clamp(first_step, kMinFirstStepLog, kMaxFirstStepLog);
  double hill = best[kHillSlope] + tangent * (x - estimate);
  double previous_step = kInf;
  int refits = 0;
  for (int iteration = 0; iteration < kMaxNewtonEndIterations; ++iteration) {
    if (direction * (x - estimate) <= 0) return nan;
    if (direction * (x - limit) > 0) return nan;
    if (!(hill >= c.lower[kHillSlope] && hill <= c.upper[kHillSlope])) return nan;
    ProjectedPoint p;
    if (iteration > 0) p = objective.project(x, hill);
    if (iteration == 0 || ((!p.ok || !(p.hessian[1][1] > 0)) && refits < kMaxNewtonEndRefits)) {
      // The SS is far from quadratic in HillSlope: the first point (and any where the SS is not
      // convex in it) is a refit over HillSlope, so that Newton starts on the profile path.
      ++refits;
      Logistic4Params params = best;
      params[kHillSlope] = hill;
      objective(x, params);
      hill = params[kHillSlope];
      p = objective.project(x, hill);
    }
    if (!p.ok || !(p.hessian[1][1] > 0)) return nan;
    const double root = std::sqrt(std::max(p.ss - ss_min, 0.0));
    if (!(root > 0)) return nan;
    const double f1 = root - target, f2 = p.gradient[1];
    const double a11 = p.gradient[0] / root, a12 = p.gradient[1] / root;
    const double a21 = p.hessian[1][0], a22 = p.hessian[1][1];
    const double det = a11 * a22 - a12 * a21;
    double dx = -(f1 * a22 - f2 * a12) / det, dh = -(a11 * f2 - a21 * f1) / det;
    if (!std::isfinite(dx) || !std::isfinite(dh)) return nan;
    // A large step means the quadratic model does not describe the profile here (a skewed
    // profile, HillSlope heading for zero or for the other sign): leave it to the refits.
    const double size = std::abs(dx);
    if (size > kMaxJointStepLog * std::abs(x - estimate) || std::abs(dh) > kMaxJointStepHill * std::abs(hill))
      return nan;
    x += dx;
    hill += dh;
    // Quadratic convergence: the error left after a correction d_k is about d_k^3 / d_(k-1)^2.
    const bool settled = std::abs(dh) <= kSettledHill * (1.0 + std::abs(hill));
    if (settled && (size <= tol || (size <= kMaxFinalCorrection && size <= 0.25 * previous_step &&
                                    size * size * size <= kErrorMargin * tol * previous_step * previous_step)))
      return direction * (x - estimate) > 0 ? x : nan;
    previous_step = size;
  }
  return nan;
}

double one_side(ProfileObjective& objective, const CurveData& data, const CurveConstraints& c,
                const Logistic4Params& best, const ProjectedPoint& at_best, double ss_min,
                double threshold, double first_step, double direction,
                const ProfileSettings& settings) {
  const double inf = std::numeric_limits<double>::infinity();
  const double estimate = best[kLogIc50];
  const double user_bound = direction > 0 ? c.upper[kLogIc50] : c.lower[kLogIc50];
  const double reach = direction > 0 ? data.x_max + settings.reach_beyond_range_log
                                     : data.x_min - settings.reach_beyond_range_log;
  const double limit = direction > 0 ? std::min(user_bound, std::max(reach, estimate + first_step))
                                     : std::max(user_bound, std::min(reach, estimate - first_step));
  const double target = std::sqrt(threshold - ss_min);
  const double tol = settings.tolerance_log;
  if (at_best.ok && !c.fixed[kHillSlope]) {
    const double end = newton_end(objective, c, best, at_best, ss_min, target, first_step,
                                  direction, limit, tol);
    if (std::isfinite(end)) return end;
  }
  // g = sqrt(SS - SSmin) - target is nearly linear in LogIC50 (exactly so for a linear model):
  // Newton's method on it converges in a few steps.
  struct Point {
    double x, g, dg;  // dg: dg/dLogIC50, NaN when unknown
  };
  // Warm start: HillSlope extrapolated linearly along the profile from its last two points.
  double previous_x = estimate, previous_hill = best[kHillSlope];
  auto evaluate = [&](double x, Logistic4Params& params) {
    const double last_x = params[kLogIc50], last_hill = params[kHillSlope];
    // Only over steps no longer than the last one: far out the path of HillSlope curves.
    if (last_x != previous_x && std::abs(x - last_x) <= std::abs(last_x - previous_x))
      params[kHillSlope] += (last_hill - previous_hill) / (last_x - previous_x) * (x - last_x);
    if (!std::isfinite(params[kHillSlope])) params[kHillSlope] = last_hill;
    previous_x = last_x;
    previous_hill = last_hill;
    const ProfileValue v = objective(x, params);
    const double excess = std::max(v.ss - ss_min, 0.0);
    const double root = std::sqrt(excess);
    return Point{x, root - target, root > 0 ? v.slope / (2.0 * root) : std::nan("")};
  };
  // Bracket: `in` has g < 0, `out` (once found) g >= 0.
  Point in{estimate, -target, std::nan("")}, out{0, 0, std::nan("")};
  bool bracketed = false;
  Logistic4Params params = best;
  Point last = in;
  double step = std::clamp(first_step, kMinFirstStepLog, kMaxFirstStepLog);
  double next = estimate + direction * step;
  for (int used = 0; used < settings.max_evaluations_per_side; ++used) {
    const bool at_limit = !bracketed && (direction > 0 ? next >= limit : next <= limit);
    if (at_limit) next = limit;
    const Point p = evaluate(next, params);
    // Slope: the envelope theorem's, else the secant through the previous point.
    const double slope = std::isfinite(p.dg) ? p.dg : (p.g - last.g) / (p.x - last.x);
    const Point previous = last;
    last = p;
    if (p.g >= 0) {
      out = p;
      bracketed = true;
    } else {
      in = p;
    }
    const double newton = p.x - p.g / slope;
    const bool newton_ok = std::isfinite(newton) && direction * slope > 0;
    // Newton's error after a correction d is about |g''| d^2 / (2 |g'|); g'' from the slopes at
    // the last two points.
    const double correction = std::abs(newton - p.x);
    const double curvature = std::isfinite(p.dg) && std::isfinite(previous.dg)
                                 ? std::abs((p.dg - previous.dg) / (p.x - previous.x))
                                 : kInf;
    const bool converged =
        correction <= tol || (correction <= kMaxFinalCorrection &&
                              curvature * correction * correction <= kErrorMargin * tol * std::abs(slope));
    const double lo = bracketed ? std::min(in.x, out.x) : std::min(in.x, limit);
    const double hi = bracketed ? std::max(in.x, out.x) : std::max(in.x, limit);
    if (newton_ok && converged && newton >= lo && newton <= hi) return newton;
    if (!bracketed) {
      if (at_limit) return std::isfinite(user_bound) && in.x == user_bound ? user_bound : direction * inf;
      // Still inside: aim past the predicted end (Newton), at most four times the last step.
      const double ahead = newton_ok ? direction * (newton - p.x) : 0.0;
      step = ahead > 0 ? std::clamp(kOvershoot * ahead, kMinFirstStepLog, 4.0 * step) : 2.0 * step;
      next = p.x + direction * step;
      continue;
    }
    if (hi - lo <= tol) return in.x - in.g * (out.x - in.x) / (out.g - in.g);
    // Newton inside the bracket, else regula falsi, else bisection.
    next = newton_ok && newton > lo && newton < hi ? newton
                                                    : in.x - in.g * (out.x - in.x) / (out.g - in.g);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
  }
  return bracketed ? in.x - in.g * (out.x - in.x) / (out.g - in.g) : direction * inf;
}

}  // namespace

ProfileInterval profile_log_ic50(const CurveData& data, const CurveConstraints& constraints,
                                 const Logistic4Params& best, double ss_min, double threshold,
                                 double first_step_log, const ProfileSettings& settings) {
  ProfileObjective objective(data, constraints);
  ProfileInterval interval;
  // Curvature at the optimum: the tangent of the profile path for the joint Newton search.
  const ProjectedPoint at_best = objective.project(best[kLogIc50], best[kHillSlope]);
  interval.low = one_side(objective, data, constraints, best, at_best, ss_min, threshold,
                          first_step_log, -1.0, settings);
  interval.high = one_side(objective, data, constraints, best, at_best, ss_min, threshold,
                           first_step_log, 1.0, settings);
  interval.evaluations = objective.evaluations();
  interval.ok = !objective.failed();
  return interval;
}

}  // namespace assay::protocols::fit::detail
