// Profile-likelihood interval of LogIC50; see profile_ci.hpp.
#include "fit/profile_ci.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "fit/profile_objective.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMinFirstStepLog = 1e-3;
constexpr double kMaxFirstStepLog = 1.0;
constexpr double kOvershoot = 1.25;  // bracketing steps aim this far past the predicted end
// A last Newton correction is applied without checking when its estimated error is below
// kErrorMargin * tolerance and the correction itself is small enough for that estimate to hold.
constexpr double kErrorMargin = 0.1;
constexpr double kMaxFinalCorrection = 1e-3;
constexpr double kMinRelativeCurvature = 10.0;  // per log unit
constexpr int kMaxJointIterations = 12;
constexpr int kApproachSteps = 2;
// Joint Newton steps are shortened to at most these, relative to the distance from the estimate
// and to HillSlope (below 1: the slope keeps its sign): far from the end the quadratic model does
// not describe a skewed profile or a slope heading for zero or the cap.
constexpr double kMaxJointStepLog = 2.0;
constexpr double kMaxJointStepHill = 0.7;
// Inward (toward the estimate) a step goes at most this fraction of the way: the search stays on
// its side.
constexpr double kMaxJointStepInward = 0.5;
// Times the joint search may return to the profile path by Newton steps in HillSlope alone.
constexpr int kMaxJointRecoveries = 2;
// Steps shortened on their way inward before the joint search gives up (the model is poor).
constexpr int kMaxInwardSteps = 4;
// Another HillSlope branch counts as lower at an end when g falls this far below 0 (relative to
// the target): the end then lies further out.
constexpr double kBranchMargin = 1e-6;
constexpr int kMaxBranchSwitches = 3;
// Slopes probed at each end for another branch of the SS: kLadderRungs doubling up to the cap
// (10 by default: 0.31 .. 10), or to kLadderTop when the slope is not bounded, and the same
// times sqrt(2) (below the cap).
constexpr int kLadderRungs = 6;
constexpr double kLadderTop = 10.0;

// An end of the interval and the profile's HillSlope there (NaN when not found).
struct End {
  double x = kNaN;
  double hill = kNaN;
};

// A point of g = sqrt(SS - SSmin) - target, which is nearly linear in LogIC50 (exactly so for a
// linear model), and its slope dg/dLogIC50 (NaN when unknown).
struct Point {
  double x = 0.0, g = 0.0, dg = kNaN;
};

// A refit done: its point and constrained optimum.
struct Evaluated {
  Point point;
  Logistic4Params params{};
};

// One side of the interval: what every search on it needs.
struct Side {
  ProfileObjective& objective;
  const CurveConstraints& c;
  double estimate, direction, limit, bound, ss_min, target, tol;
  int max_evaluations;

  bool beyond(double x, double edge) const { return direction * (x - edge) > 0; }
  Point point(double x, const ProfileValue& v) const {
    const double root = std::sqrt(std::max(v.ss - ss_min, 0.0));
    return {x, root - target, root > 0 ? v.slope / (2.0 * root) : kNaN};
  }
  // The side ends at the search limit: the caller's bound when that is it, else unbounded.
  End open_end() const { return {std::isfinite(bound) && limit == bound ? bound : direction * kInf}; }
};

// Newton converged: the correction is below the tolerance, or small enough that its estimated
// error |g''| d^2 / (2 |g'|) (g'' from the slopes at the last two points) is well below it.
bool newton_settled(const Point& p, const Point& previous, double correction, double slope, double tol) {
  if (correction <= tol) return true;
  if (correction > kMaxFinalCorrection || !std::isfinite(p.dg) || !std::isfinite(previous.dg)) return false;
  // Two slopes far apart can agree by chance: the curvature is taken to be at least
  // kMinRelativeCurvature |g'| (the slope may change by its own size over 0.1 log units).
  const double curvature = std::max(std::abs((p.dg - previous.dg) / (p.x - previous.x)),
                                    kMinRelativeCurvature * std::abs(slope));
  return curvature * correction * correction <= kErrorMargin * tol * std::abs(slope);
}

// The end as the root of {g, dSS/dHillSlope} in (LogIC50, HillSlope) jointly: at an end the
// profile's HillSlope minimises the SS, so from a point on the profile path (x, hill) each Newton
// step costs one evaluation of the projected SS instead of a refit. Gives up (NaN) at the first
// sign of trouble; the refit-based search takes over then.
End joint_newton_end(Side& s, double x, double hill) {
  int recoveries = 0, inward_limited = 0;
  for (int iteration = 0; iteration < kMaxJointIterations; ++iteration) {
    if (!s.beyond(x, s.estimate) || s.beyond(x, s.limit)) return {};
    if (!(hill >= s.c.lower[kHillSlope] && hill <= s.c.upper[kHillSlope])) return {};
    const ProjectedPoint p = s.objective.project(x, hill);
    if (!p.ok) return {};
    const double root = std::sqrt(std::max(p.ss - s.ss_min, 0.0));
    if (!(root > 0)) return {};
    const double f1 = root - s.target, f2 = p.gradient[1];
    const double a11 = p.gradient[0] / root, a12 = p.gradient[1] / root;
    const double a21 = p.hessian[1][0], a22 = p.hessian[1][1];
    // HillSlope held on its bound by the gradient (a step between doses): Newton in LogIC50 alone.
    const bool held = (hill <= s.c.lower[kHillSlope] && f2 > 0) || (hill >= s.c.upper[kHillSlope] && f2 < 0);
    if (!held && !(a22 > 0) && recoveries < kMaxJointRecoveries) {
      // Not convex in HillSlope here (off the profile path): a few Newton steps in HillSlope at
      // this LogIC50 bring it back.
      ++recoveries;
      Logistic4Params params = p.params;
      s.objective.approach(x, params, kApproachSteps);
      if (!(params[kHillSlope] * hill > 0)) return {};  // the slope changed sign: another branch
      hill = params[kHillSlope];
      continue;
    }
    if (!held && !(a22 > 0)) return {};
    const double det = a11 * a22 - a12 * a21;
    double dx = held ? -f1 / a11 : -(f1 * a22 - f2 * a12) / det;
    double dh = held ? 0.0 : -(a11 * f2 - a21 * f1) / det;
    if (!std::isfinite(dx) || !std::isfinite(dh)) return {};
    // Long steps are shortened (the quadratic model is poor far out), not taken.
    const double reach = s.direction * dx > 0 ? kMaxJointStepLog : kMaxJointStepInward;
    const double shrink = std::min({1.0, reach * std::abs(x - s.estimate) / std::abs(dx),
                                    dh != 0 ? kMaxJointStepHill * std::abs(hill) / std::abs(dh) : 1.0});
    // Pushed back toward the estimate again and again: the profile is not where the model says.
    if (s.direction * dx < 0 && shrink < 1.0 && ++inward_limited >= kMaxInwardSteps) return {};
    dx *= shrink;
    dh *= shrink;
    x += dx;
    hill = std::clamp(hill + dh, s.c.lower[kHillSlope], s.c.upper[kHillSlope]);
    if (shrink < 1.0) continue;
    // No error estimate here: near a change of the plateaus' active bounds convergence can be
    // linear; the last correction itself must be below the tolerance.
    const double size = std::max(std::abs(dx), std::abs(dh) / (1.0 + std::abs(hill)));
    if (size <= s.tol) return s.beyond(x, s.estimate) && !s.beyond(x, s.limit) ? End{x, hill} : End{};
  }
  return {};
}

// The SS is often multimodal in HillSlope (a gentle slope, or a near-step that can sit between
// any two doses), and a warm-started path follows one branch. Probes other slopes at `x`: the
// given alternative, half and twice `hill`, and the slope cap or, when `scan` (at a candidate
// end), a ladder of slopes up to the cap, and `hill` itself when `check_end` (the end's own SS is
// not known from the search). Returns a slope whose SS there is clearly below the threshold, or
// NaN.
double lower_branch(Side& s, double x, double hill, double alternative, bool scan, bool check_end) {
  if (s.c.fixed[kHillSlope] || !(hill != 0) || !std::isfinite(hill)) return kNaN;
  const double sign = hill < 0 ? -1.0 : 1.0;
  double best_g = -kBranchMargin * s.target, best_hill = kNaN;
  auto consider = [&](double h, double ss) {
    const double g = s.point(x, {ss}).g;
    if (g < best_g) {
      best_g = g;
      best_hill = h;
    }
  };
  auto probe = [&](double h) {
    h = std::clamp(h, s.c.lower[kHillSlope], s.c.upper[kHillSlope]);
    if (!std::isfinite(h) || h == hill || h == 0) return;
    consider(h, s.objective.projected_ss(x, h));
  };
  // The end itself: inside when the bracket's outer point was on a worse branch.
  if (scan && check_end) consider(hill, s.objective.projected_ss(x, hill));
  probe(alternative);
  if (!scan) {
    probe(0.5 * hill);
    probe(2.0 * hill);
    probe(sign * kInf);
    return best_hill;
  }
  // A ladder of slopes with ratio sqrt(2) up to the cap (or to kLadderTop without one). Its SS
  // values are screening values: a rung that could be below the best so far is evaluated exactly.
  const double cap = sign < 0 ? -s.c.lower[kHillSlope] : s.c.upper[kHillSlope];
  const double top = std::isfinite(cap) ? cap : kLadderTop;
  const double hill0 = sign * top / (1 << (kLadderRungs - 1));
  constexpr int kRungs = 2 * kLadderRungs;
  double ss[kRungs];
  const double error = s.objective.projected_ss_ladder(x, hill0, kRungs, ss);
  for (int k = 0; k < kRungs; ++k) {
    const double h = (k % 2 ? std::numbers::sqrt2 * hill0 : hill0) * (1 << (k / 2));
    if (!(h >= s.c.lower[kHillSlope] && h <= s.c.upper[kHillSlope]) || !std::isfinite(ss[k])) continue;
    const double root = s.target + best_g;  // sqrt(SS - SSmin) at the best so far
    if (ss[k] - error < s.ss_min + root * root) consider(h, s.objective.projected_ss(x, h));
  }
  return best_hill;
}

// Safeguarded Newton outward from an inside point (g < 0): steps aimed past the predicted end
// until the threshold is bracketed, then Newton inside the bracket where it shrinks fast enough,
// bisection otherwise (rtsafe). Refits warm-start from the previous point, HillSlope extrapolated
// along the path over short steps.
End search_outward(Side& s, Point start, Logistic4Params params, double first_step,
                   const std::optional<Evaluated>& first = std::nullopt) {
  Point in = start, out, last = start;
  bool bracketed = false;
  double previous_x = start.x, previous_hill = params[kHillSlope];
  double in_hill = params[kHillSlope];  // HillSlope of the inside point
  double step = std::clamp(first_step, kMinFirstStepLog, kMaxFirstStepLog);
  double next = start.x + s.direction * step;
  double width_before = kInf, width_last = kInf;  // the last two steps inside the bracket
  for (int used = 0; used < s.max_evaluations; ++used) {
    if (used == 0 && first) next = first->point.x;
    const bool at_limit = !bracketed && !s.beyond(s.limit, next);
    if (at_limit) next = s.limit;
    const double last_x = params[kLogIc50], last_hill = params[kHillSlope];
    if (last_x != previous_x && std::abs(next - last_x) <= std::abs(last_x - previous_x))
      params[kHillSlope] += (last_hill - previous_hill) / (last_x - previous_x) * (next - last_x);
    if (!std::isfinite(params[kHillSlope])) params[kHillSlope] = last_hill;
    previous_x = last_x;
    previous_hill = last_hill;
    Point p;
    if (used == 0 && first) {
      p = first->point;  // evaluated by the caller
      params = first->params;
    } else {
      p = s.point(next, s.objective(next, params));
    }
    if (p.g >= 0) {
      // Outside on this branch; another may be inside here (the end would be further out).
      const double other = lower_branch(s, next, params[kHillSlope], in_hill, false, true);
      if (!std::isnan(other)) {
        Logistic4Params switched = params;
        switched[kHillSlope] = other;
        const Point q = s.point(next, s.objective(next, switched));
        if (q.g < p.g) {
          p = q;
          params = switched;
        }
      }
    }
    // Slope: the envelope theorem's, else the secant through the previous point.
    const double slope = std::isfinite(p.dg) ? p.dg : (p.g - last.g) / (p.x - last.x);
    const Point previous = last;
    last = p;
    if (p.g >= 0) {
      if (!bracketed) width_before = width_last = std::abs(p.x - in.x);
      out = p;
      bracketed = true;
    } else {
      in = p;
      in_hill = params[kHillSlope];
    }
    const double newton = p.x - p.g / slope;
    const bool newton_ok = std::isfinite(newton) && s.direction * slope > 0;
    const double correction = std::abs(newton - p.x);
    const bool settled = newton_ok && newton_settled(p, previous, correction, slope, s.tol);
    if (!bracketed) {
      if (settled && !s.beyond(newton, s.limit)) return {newton, params[kHillSlope]};
      if (at_limit) return s.open_end();
      const double ahead = newton_ok ? s.direction * (newton - p.x) : 0.0;
      step = ahead > 0 ? std::clamp(kOvershoot * ahead, kMinFirstStepLog, 4.0 * step) : 2.0 * step;
      next = p.x + s.direction * step;
      continue;
    }
    const double lo = std::min(in.x, out.x), hi = std::max(in.x, out.x);
    if (settled && newton >= lo && newton <= hi) return {newton, params[kHillSlope]};
    if (hi - lo <= s.tol) return {in.x - in.g * (out.x - in.x) / (out.g - in.g), params[kHillSlope]};
    const bool newton_fast = newton_ok && newton > lo && newton < hi && correction <= 0.5 * width_before;
    next = newton_fast ? newton : 0.5 * (lo + hi);
    width_before = width_last;
    width_last = std::abs(next - p.x);
  }
  if (!bracketed) return s.open_end();
  return {0.5 * (in.x + out.x), params[kHillSlope]};
}

double one_side(ProfileObjective& objective, const CurveData& data, const CurveConstraints& c,
                const Logistic4Params& best, const ProjectedPoint& at_best, double ss_min,
                double threshold, double first_step, double direction,
                const ProfileSettings& settings) {
  const double estimate = best[kLogIc50];
  const double bound = direction > 0 ? settings.upper_bound : settings.lower_bound;
  const double reach = direction > 0 ? data.x_max + settings.reach_beyond_range_log
                                     : data.x_min - settings.reach_beyond_range_log;
  const double limit = direction > 0 ? std::min(bound, std::max(reach, estimate + first_step))
                                     : std::max(bound, std::min(reach, estimate - first_step));
  Side s{objective, c, estimate, direction, limit, bound, ss_min, std::sqrt(threshold - ss_min),
         settings.tolerance_log, settings.max_evaluations_per_side};
  // First point: where the quadratic model of the SS at the optimum (its exact Hessian; the
  // profile's curvature is H_LL - H_Lh^2 / H_hh) reaches the threshold, else the asymptotic end;
  // HillSlope on the tangent of the profile path.
  const bool joint = at_best.ok && at_best.hessian[1][1] > 0 && !c.fixed[kHillSlope];
  const double curvature = joint ? at_best.hessian[0][0] - at_best.hessian[0][1] * at_best.hessian[0][1] /
                                                               at_best.hessian[1][1]
                                 : 0.0;
  const double step = std::clamp(curvature > 0 ? s.target / std::sqrt(curvature) : first_step,
                                 kMinFirstStepLog, kMaxFirstStepLog);
  const double x0 = s.beyond(estimate + direction * step, limit) ? limit : estimate + direction * step;
  Evaluated first{{}, best};
  if (joint) {
    // Along the tangent, by at most the joint search's step limit (the slope keeps its sign).
    const double dh = -at_best.hessian[0][1] / at_best.hessian[1][1] * (x0 - estimate);
    const double limit_h = kMaxJointStepHill * std::abs(best[kHillSlope]);
    first.params[kHillSlope] += std::clamp(dh, -limit_h, limit_h);
  }
  End end;
  if (joint && x0 != limit) {
    // A few Newton steps in HillSlope bring the joint search onto the profile path.
    Logistic4Params near = first.params;
    objective.approach(x0, near, kApproachSteps);
    end = joint_newton_end(s, x0, near[kHillSlope]);
  }
  // A joint end is a root of g on its branch: its own SS needs no second look.
  bool check_end = false;
  if (!std::isfinite(end.x)) {
    first.point = s.point(x0, objective(x0, first.params));
    end = search_outward(s, {estimate, -s.target}, best, step, first);
    check_end = true;
  }
  for (int switches = 0; switches < kMaxBranchSwitches && std::isfinite(end.x); ++switches) {
    const double hill = lower_branch(s, end.x, end.hill, best[kHillSlope], true, check_end);
    check_end = true;
    if (std::isnan(hill)) break;
    // The profile is lower at this end on another branch: continue outward on that one.
    Logistic4Params params = best;
    params[kHillSlope] = hill;
    const Point inside = s.point(end.x, objective(end.x, params));
    if (!(inside.g < 0)) break;
    end = search_outward(s, inside, params, std::abs(end.x - estimate) * 0.1);
  }
  return end.x;
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
