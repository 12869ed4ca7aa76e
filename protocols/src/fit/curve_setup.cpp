// Preparing one curve for fitting: dropping unusable points (flagged), log10 concentrations and
// weights, and the constraints with the default caps; see curve_problem.hpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void add_flag(DoseResponseFit& fit, const char* flag) {
  if (!fit.has_flag(flag)) fit.flags.emplace_back(flag);
}

void check_bounds(const Bounds& b, const char* name) {
  if (b.lower && b.upper && *b.lower > *b.upper)
    throw std::invalid_argument(std::string("dose-response bounds for ") + name +
                                ": lower bound is above the upper bound");
}

CurveConstraints make_constraints(const FitOptions& o) {
  check_bounds(o.top, "top");
  check_bounds(o.bottom, "bottom");
  check_bounds(o.log_ic50, "log_ic50");
  check_bounds(o.hill_slope, "hill_slope");
  if (!(o.confidence > 0.0 && o.confidence < 1.0))
    throw std::invalid_argument("dose-response confidence must be between 0 and 1 (e.g. 0.95)");
  CurveConstraints c;
  const std::optional<double>* fixed[] = {&o.fixed_top, &o.fixed_bottom, nullptr, &o.fixed_hill_slope};
  const Bounds* bounds[] = {&o.top, &o.bottom, &o.log_ic50, &o.hill_slope};
  for (int j = 0; j < kLogistic4Params; ++j) {
    c.lower[j] = bounds[j]->lower.value_or(-kInf);
    c.upper[j] = bounds[j]->upper.value_or(kInf);
    if (fixed[j] && fixed[j]->has_value()) {
      if (!std::isfinite(**fixed[j]))
        throw std::invalid_argument("dose-response fixed parameter values must be finite");
      c.fixed[j] = true;
      c.fixed_value[j] = **fixed[j];
      c.lower[j] = c.upper[j] = **fixed[j];
    }
  }
  return c;
}

// Drops unusable points (flagged), converts to log10 concentration and weights.
CurveData clean(std::span<const DosePoint> points, const FitOptions& o,
                        DoseResponseFit& fit) {
  CurveData d;
  d.x.reserve(points.size());
  d.y.reserve(points.size());
  d.weight.reserve(points.size());
  d.sqrt_weight.reserve(points.size());
  for (const DosePoint& p : points) {
    if (!std::isfinite(p.conc) || !std::isfinite(p.response)) {
      add_flag(fit, kFlagNonFinite);
      ++fit.n_dropped;
      continue;
    }
    double w = 1.0;
    if (o.weighting == Weighting::given) w = p.weight;
    if (o.weighting == Weighting::inverse_y_squared) w = p.response != 0 ? 1.0 / (p.response * p.response) : kNaN;
    if (p.conc < 0 || !std::isfinite(w) || w < 0) {
      add_flag(fit, kFlagInvalidPoint);
      ++fit.n_dropped;
      continue;
    }
    if (w == 0) continue;  // an explicit weight of 0 excludes the point
    d.x.push_back(p.conc > 0 ? std::log10(p.conc) : -kInf);
    d.y.push_back(p.response);
    d.weight.push_back(w);
    d.sqrt_weight.push_back(std::sqrt(w));
  }
  d.x_min = kInf;
  d.x_max = -kInf;
  for (double x : d.x) {
    if (std::isinf(x)) continue;
    d.x_min = std::min(d.x_min, x);
    d.x_max = std::max(d.x_max, x);
  }
  std::vector<double> sorted = d.x;
  std::sort(sorted.begin(), sorted.end());
  d.distinct_x = static_cast<int>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
  return d;
}

}  // namespace

CurveProblem prepare_curve(std::span<const DosePoint> points, const FitOptions& options,
                           DoseResponseFit& fit) {
  CurveProblem problem{clean(points, options, fit), make_constraints(options)};
  const CurveData& d = problem.data;
  CurveConstraints& c = problem.constraints;
  problem.hill_capped = !c.fixed[kHillSlope] && !options.hill_slope.lower &&
                           !options.hill_slope.upper && options.max_abs_hill_slope > 0;
  if (problem.hill_capped) {
    c.lower[kHillSlope] = -options.max_abs_hill_slope;
    c.upper[kHillSlope] = options.max_abs_hill_slope;
  }
  if (options.plateau_reach > 0 && !d.y.empty()) {
    const auto [y_lo, y_hi] = std::minmax_element(d.y.begin(), d.y.end());
    const double reach = options.plateau_reach * (*y_hi > *y_lo ? *y_hi - *y_lo : std::max(1.0, std::abs(*y_hi)));
    const Bounds* user[2] = {&options.top, &options.bottom};
    for (int j : {kTop, kBottom}) {
      if (c.fixed[j] || user[j]->lower || user[j]->upper) continue;
      c.lower[j] = *y_lo - reach;
      c.upper[j] = *y_hi + reach;
      problem.plateau_capped[j] = true;
    }
  }
  if (options.log_ic50_reach_log > 0 && std::isfinite(d.x_min)) {
    if (!options.log_ic50.lower) c.lower[kLogIc50] = d.x_min - options.log_ic50_reach_log;
    if (!options.log_ic50.upper) c.upper[kLogIc50] = d.x_max + options.log_ic50_reach_log;
  }
  return problem;
}

}  // namespace assay::protocols::fit::detail
