// Profile-likelihood interval of LogIC50; see profile_ci.hpp.
#include "fit/profile_ci.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace assay::protocols::fit::detail {
namespace {

constexpr double kMinFirstStepLog = 1e-3;
constexpr double kMaxFirstStepLog = 1.0;
constexpr double kRootTolerance = 1e-4;

class ProfileObjective {
 public:
  ProfileObjective(const CurveData& data, const CurveConstraints& constraints)
      : model_(data.x, data.y, data.sqrt_weight), constraints_(constraints.to_solver()) {
    constraints_.fixed[kLogIc50] = true;
    options_.compute_covariance = false;
    options_.max_iterations = 100;
    options_.step_tolerance = 1e-8;
    options_.cost_tolerance = 1e-12;
    options_.retry_unscaled = false;  // warm starts are close; a stuck run is rare
    options_.bound_step = false;
  }
  // Minimum SS over the other free parameters with LogIC50 held at `log_ic50`; `params` is the
  // warm start and receives the constrained optimum.
  double operator()(double log_ic50, Logistic4Params& params) {
    ++evaluations_;
    params[kLogIc50] = log_ic50;
    const LeastSquaresResult& r = solver_.solve(model_, params, constraints_, options_);
    if (!std::isfinite(r.cost)) {
      failed_ = true;
      return std::numeric_limits<double>::infinity();
    }
    std::copy(r.params.begin(), r.params.end(), params.begin());
    return r.cost;
  }
  int evaluations() const { return evaluations_; }
  bool failed() const { return failed_; }

 private:
  Logistic4Model model_;
  ParameterConstraints constraints_;
  LeastSquaresOptions options_;
  LeastSquaresSolver solver_;
  int evaluations_ = 0;
  bool failed_ = false;
};

double one_side(ProfileObjective& objective, const CurveData& data, const CurveConstraints& c,
                const Logistic4Params& best, double ss_min, double threshold, double first_step,
                double direction, const ProfileSettings& settings) {
  const double inf = std::numeric_limits<double>::infinity();
  const double estimate = best[kLogIc50];
  const double user_bound = direction > 0 ? c.upper[kLogIc50] : c.lower[kLogIc50];
  const double reach = direction > 0 ? data.x_max + settings.reach_beyond_range_log
                                     : data.x_min - settings.reach_beyond_range_log;
  const double limit = direction > 0 ? std::min(user_bound, std::max(reach, estimate + first_step))
                                     : std::max(user_bound, std::min(reach, estimate - first_step));
  const double target = std::sqrt(threshold - ss_min);
  auto g = [&](double ss) { return std::sqrt(std::max(ss - ss_min, 0.0)) - target; };

  // Bracket: inside point a (g < 0), outside point b (g >= 0).
  double a = estimate, g_a = -target;
  Logistic4Params params_a = best, params_b{};
  double b = 0, g_b = 0;
  double step = std::clamp(first_step, kMinFirstStepLog, kMaxFirstStepLog);
  int used = 0;
  while (true) {
    double next = a + direction * step;
    const bool at_limit = direction > 0 ? next >= limit : next <= limit;
    if (at_limit) next = limit;
    Logistic4Params params = params_a;
    const double ss = objective(next, params);
    ++used;
    if (g(ss) >= 0) {
      b = next;
      g_b = g(ss);
      params_b = params;
      break;
    }
    a = next;
    g_a = g(ss);
    params_a = params;
    if (at_limit || used >= settings.max_evaluations_per_side) {
      return std::isfinite(user_bound) && a == user_bound ? user_bound : direction * inf;
    }
    step *= 2.0;
  }
  // Illinois-modified regula falsi on g, warm-starting from the nearer bracket end.
  int side_kept = 0;
  while (std::abs(b - a) > settings.tolerance_log * (1.0 + std::abs(a)) &&
         used < settings.max_evaluations_per_side) {
    double next = a - g_a * (b - a) / (g_b - g_a);
    if (!(next > std::min(a, b) && next < std::max(a, b))) next = 0.5 * (a + b);
    Logistic4Params params = std::abs(next - a) < std::abs(next - b) ? params_a : params_b;
    const double value = g(objective(next, params));
    ++used;
    // sqrt(SS - SSmin) within 1e-4 of its target: the end is located to ~1e-4 of the half-width.
    if (std::abs(value) <= kRootTolerance * target) return next;
    if (value < 0) {
      a = next;
      g_a = value;
      params_a = params;
      if (side_kept == -1) g_b *= 0.5;
      side_kept = -1;
    } else {
      b = next;
      g_b = value;
      params_b = params;
      if (side_kept == 1) g_a *= 0.5;
      side_kept = 1;
    }
  }
  return a - g_a * (b - a) / (g_b - g_a);
}

}  // namespace

ProfileInterval profile_log_ic50(const CurveData& data, const CurveConstraints& constraints,
                                 const Logistic4Params& best, double ss_min, double threshold,
                                 double first_step_log, const ProfileSettings& settings) {
  ProfileObjective objective(data, constraints);
  ProfileInterval interval;
  interval.low = one_side(objective, data, constraints, best, ss_min, threshold, first_step_log,
                          -1.0, settings);
  interval.high = one_side(objective, data, constraints, best, ss_min, threshold, first_step_log,
                           1.0, settings);
  interval.evaluations = objective.evaluations();
  interval.ok = !objective.failed();
  return interval;
}

}  // namespace assay::protocols::fit::detail
