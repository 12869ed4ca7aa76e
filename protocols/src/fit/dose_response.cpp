// fit_dose_response: cleaning, starting values, the LM fit, standard errors, asymptotic and
// profile-likelihood intervals, and the flags. See assay/protocols/fit/dose_response.hpp.
#include "assay/protocols/fit/dose_response.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "assay/protocols/fit/distributions.hpp"
#include "fit/curve_problem.hpp"
#include "fit/profile_ci.hpp"

namespace assay::protocols::fit {
namespace {

using detail::kBottom;
using detail::kHillSlope;
using detail::kLogIc50;
using detail::kTop;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void add_flag(DoseResponseFit& fit, const char* flag) {
  if (!fit.has_flag(flag)) fit.flags.emplace_back(flag);
}

ParamEstimate& param(DoseResponseFit& fit, int index) {
  switch (index) {
    case kTop: return fit.top;
    case kBottom: return fit.bottom;
    case kLogIc50: return fit.log_ic50;
    default: return fit.hill_slope;
  }
}

// Extra-sum-of-squares F test against "no dose effect": a horizontal line at the low-dose
// plateau (its fitted mean when that plateau is free, its fixed value otherwise).
bool is_inactive(const detail::CurveData& d, const detail::CurveConstraints& c,
                 const detail::Logistic4Params& p, double rss, int df, double alpha) {
  const int baseline = p[kHillSlope] <= 0 ? kTop : kBottom;
  double ss_null = 0.0;
  int null_params = 0;
  if (c.fixed[baseline]) {
    for (std::size_t i = 0; i < d.y.size(); ++i)
      ss_null += d.weight[i] * (d.y[i] - c.fixed_value[baseline]) * (d.y[i] - c.fixed_value[baseline]);
  } else {
    double sw = 0, swy = 0;
    for (std::size_t i = 0; i < d.y.size(); ++i) {
      sw += d.weight[i];
      swy += d.weight[i] * d.y[i];
    }
    for (std::size_t i = 0; i < d.y.size(); ++i)
      ss_null += d.weight[i] * (d.y[i] - swy / sw) * (d.y[i] - swy / sw);
    null_params = 1;
  }
  const int df_effect = c.free_count() - null_params;
  if (p[kHillSlope] == 0 || p[kTop] == p[kBottom]) return true;
  if (df_effect < 1 || df < 1) return false;
  if (rss <= 0) return ss_null <= 0;
  const double f = ((ss_null - rss) / df_effect) / (rss / df);
  return f < f_quantile(1.0 - alpha, df_effect, df);
}

}  // namespace

bool DoseResponseFit::has_flag(const std::string& flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

bool DoseResponseFit::usable() const {
  return converged && !has_flag(kFlagInactive) && !has_flag(kFlagAmbiguous) &&
         !has_flag(kFlagTooFewPoints) && !has_flag(kFlagPlateauAtLimit) &&
         std::isfinite(log_ic50.value);
}

double DoseResponseFit::predict(double conc) const {
  const double x = conc > 0 ? std::log10(conc) : (conc == 0 ? -kInf : kNaN);
  return detail::logistic4({top.value, bottom.value, log_ic50.value, hill_slope.value}, x);
}

DoseResponseFit fit_dose_response(std::span<const DosePoint> points, const FitOptions& options) {
  DoseResponseFit fit;
  fit.confidence = options.confidence;
  detail::CurveProblem problem = detail::prepare_curve(points, options, fit);
  const detail::CurveData& d = problem.data;
  const detail::CurveConstraints& c = problem.constraints;
  const bool hill_capped = problem.hill_capped;
  const bool* plateau_capped = problem.plateau_capped;
  fit.n = static_cast<int>(d.x.size());
  const int p_free = c.free_count();
  fit.df = fit.n - p_free;
  for (int j = 0; j < detail::kLogistic4Params; ++j) {
    ParamEstimate& e = param(fit, j);
    e.fixed = c.fixed[j];
    e.value = c.fixed[j] ? c.fixed_value[j] : kNaN;
    e.se = c.fixed[j] ? 0.0 : kNaN;
    e.ci_low = e.ci_high = e.value;
  }
  fit.ic50 = fit.ic50_ci_low = fit.ic50_ci_high = kNaN;
  fit.rss = fit.r2 = kNaN;
  // Each free shape parameter needs its own concentration level beyond the two plateaus.
  const bool enough_levels = std::isfinite(d.x_min) && d.distinct_x >= std::min(p_free, 4);
  if (fit.n < p_free || !enough_levels) {
    add_flag(fit, kFlagTooFewPoints);
    return fit;
  }
  if (fit.df == 0) add_flag(fit, kFlagTooFewPoints);

  const LeastSquaresResult r =
      options.weighting == Weighting::inverse_fit_squared
          ? detail::solve_curve_relative_weights(problem.data, c)
          : detail::solve_curve(d, c, detail::initial_guess(d, c));
  fit.iterations = r.iterations;
  fit.converged = r.converged;
  fit.termination = r.termination;
  fit.rss = r.cost;
  if (!fit.converged) add_flag(fit, kFlagNotConverged);

  detail::Logistic4Params best{};
  std::copy(r.params.begin(), r.params.end(), best.begin());
  std::array<double, 4> variance{};
  for (int j = 0; j < 4; ++j)
    variance[j] = r.covariance_ok ? r.covariance[j * 4 + j] : (c.fixed[j] ? 0.0 : kNaN);
  // (Top, Bottom, L, h) and (Bottom, Top, L, -h) are the same curve: report Top >= Bottom.
  if (best[kTop] < best[kBottom] && !c.fixed[kTop] && !c.fixed[kBottom] && !c.fixed[kHillSlope] &&
      best[kBottom] <= c.upper[kTop] && best[kTop] >= c.lower[kBottom] &&
      -best[kHillSlope] >= c.lower[kHillSlope] && -best[kHillSlope] <= c.upper[kHillSlope]) {
    std::swap(best[kTop], best[kBottom]);
    std::swap(variance[kTop], variance[kBottom]);
    best[kHillSlope] = -best[kHillSlope];
  }

  const double s2 = fit.df > 0 ? fit.rss / fit.df : kNaN;
  const double t = fit.df > 0 ? student_t_quantile(0.5 + 0.5 * options.confidence, fit.df) : kNaN;
  for (int j = 0; j < detail::kLogistic4Params; ++j) {
    ParamEstimate& e = param(fit, j);
    e.value = best[j];
    if (e.fixed) continue;
    e.se = std::sqrt(s2 * variance[j]);
    e.ci_low = e.value - t * e.se;
    e.ci_high = e.value + t * e.se;
  }
  fit.ic50 = std::pow(10.0, fit.log_ic50.value);
  fit.ic50_ci_low = std::pow(10.0, fit.log_ic50.ci_low);
  fit.ic50_ci_high = std::pow(10.0, fit.log_ic50.ci_high);

  double sw = 0, swy = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    sw += d.weight[i];
    swy += d.weight[i] * d.y[i];
  }
  double tss = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i)
    tss += d.weight[i] * (d.y[i] - swy / sw) * (d.y[i] - swy / sw);
  fit.r2 = tss > 0 ? 1.0 - fit.rss / tss : kNaN;

  if (!fit.converged) return fit;
  const bool inactive = is_inactive(d, c, best, fit.rss, fit.df, options.inactive_p_value);
  if (inactive) add_flag(fit, kFlagInactive);
  if (fit.df > 0 && (!r.covariance_ok || !std::isfinite(fit.log_ic50.se))) add_flag(fit, kFlagAmbiguous);
  if (fit.log_ic50.value < d.x_min || fit.log_ic50.value > d.x_max) add_flag(fit, kFlagExtrapolated);
  if (hill_capped && std::abs(fit.hill_slope.value) >= options.max_abs_hill_slope)
    add_flag(fit, kFlagHillAtLimit);
  for (int j : {kTop, kBottom}) {
    // After the Top >= Bottom swap, compare against either plateau's caps (they are equal).
    if (plateau_capped[j] && (best[j] <= c.lower[j] || best[j] >= c.upper[j]))
      add_flag(fit, kFlagPlateauAtLimit);
  }

  if (options.profile_ci && fit.df > 0 && !c.fixed[kLogIc50] && !inactive) {
    if (fit.rss > 0) {
      const double f = f_quantile(options.confidence, 1.0, fit.df);
      const double threshold = fit.rss * (1.0 + f / fit.df);
      const double first_step = std::isfinite(fit.log_ic50.se) && fit.log_ic50.se > 0
                                    ? t * fit.log_ic50.se
                                    : 0.5;
      detail::ProfileSettings settings;
      if (options.log_ic50_reach_log > 0) settings.reach_beyond_range_log = options.log_ic50_reach_log;
      settings.lower_bound = options.log_ic50.lower.value_or(-kInf);
      settings.upper_bound = options.log_ic50.upper.value_or(kInf);
      const detail::ProfileInterval interval =
          detail::profile_log_ic50(d, c, best, fit.rss, threshold, first_step, settings);
      fit.log_ic50_profile_low = interval.low;
      fit.log_ic50_profile_high = interval.high;
    } else {
      fit.log_ic50_profile_low = fit.log_ic50_profile_high = fit.log_ic50.value;
    }
  }
  return fit;
}

}  // namespace assay::protocols::fit
