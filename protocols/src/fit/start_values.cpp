// Grid search with linear Top/Bottom for 4PL starting values; see curve_problem.hpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr int kLogIc50GridPoints = 17;
constexpr double kGridMarginLog = 1.0;  // how far beyond the tested range the grid reaches
constexpr double kHillMagnitudes[] = {0.5, 1.0, 2.0, 4.0};

// Sign of the dose trend from a weighted linear regression of y on x (concentration 0 placed
// one log unit below the lowest dose): -1 falling, +1 rising.
double trend_sign(const CurveData& d) {
  double sw = 0, sx = 0, sy = 0, sxy = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double x = std::isinf(d.x[i]) ? d.x_min - 1.0 : d.x[i];
    const double w = d.weight[i];
    sw += w;
    sx += w * x;
    sy += w * d.y[i];
    sxy += w * x * d.y[i];
  }
  const double cov = sxy - sx * sy / sw;
  return cov > 0 ? 1.0 : -1.0;
}

struct Candidate {
  double ss = std::numeric_limits<double>::infinity();
  Logistic4Params params{};
};

}  // namespace

Logistic4Params initial_guess(const CurveData& d, const CurveConstraints& c) {
  const std::size_t n = d.x.size();
  const double x_center = 0.5 * (d.x_min + d.x_max);
  double y_weighted_sq = 0.0;
  for (std::size_t i = 0; i < n; ++i) y_weighted_sq += d.weight[i] * d.y[i] * d.y[i];

  // Candidate slopes: the fixed one, or magnitudes in the trend direction, inside the bounds.
  std::vector<double> hills;
  if (c.fixed[kHillSlope]) {
    hills.push_back(c.fixed_value[kHillSlope]);
  } else {
    double sign = trend_sign(d);
    if (c.upper[kHillSlope] <= 0) sign = -1.0;
    if (c.lower[kHillSlope] >= 0) sign = 1.0;
    for (double m : kHillMagnitudes)
      hills.push_back(std::clamp(sign * m, c.lower[kHillSlope], c.upper[kHillSlope]));
    std::sort(hills.begin(), hills.end());
    hills.erase(std::unique(hills.begin(), hills.end()), hills.end());
  }
  std::vector<double> log_ic50s;
  if (c.fixed[kLogIc50]) {
    log_ic50s.push_back(c.fixed_value[kLogIc50]);
  } else {
    const double lo = std::max(d.x_min - kGridMarginLog, c.lower[kLogIc50]);
    const double hi = std::min(d.x_max + kGridMarginLog, c.upper[kLogIc50]);
    for (int k = 0; k < kLogIc50GridPoints; ++k)
      log_ic50s.push_back(hi > lo ? lo + (hi - lo) * k / (kLogIc50GridPoints - 1) : lo);
  }

  // Weighted sums of the linear problem in (Top, Bottom) for every LogIC50 of the grid at once:
  // the inner loop runs over the grid (independent sums, so it vectorises).
  struct Sums {
    double sss[kLogIc50GridPoints], ss1[kLogIc50GridPoints], s11[kLogIc50GridPoints],
        sys[kLogIc50GridPoints], sy1[kLogIc50GridPoints], scale[kLogIc50GridPoints];
  };
  Candidate best;
  const int grid = static_cast<int>(log_ic50s.size());
  for (double hill : hills) {
    Sums sums{};
    // The fractions s and 1 - s of a point across the grid; a replicate of the point before (the
    // same concentration) takes them as they are, and only adds its own sums.
    double s_row[kLogIc50GridPoints], t_row[kLogIc50GridPoints];
    double row_x = std::numeric_limits<double>::quiet_NaN();
    // 10^((L - x) h) = 10^((L - xc) h) * 10^((xc - x) h): one exp per point and per grid value.
    for (int k = 0; k < grid; ++k) sums.scale[k] = std::exp(std::numbers::ln10 * (log_ic50s[k] - x_center) * hill);
    for (std::size_t i = 0; i < n; ++i) {
      const double w = d.weight[i], wy = w * d.y[i];
      const bool zero_dose = std::isinf(d.x[i]);
      if (zero_dose && hill != 0) {
        // Concentration 0: s = 1 on a falling curve, 0 on a rising one, for every L.
        const bool at_top = hill < 0;
        for (int k = 0; k < grid; ++k) {
          (at_top ? sums.sss : sums.s11)[k] += w;
          (at_top ? sums.sys : sums.sy1)[k] += wy;
        }
        continue;
      }
      if (!(d.x[i] == row_x)) {
        const double a = zero_dose ? 1.0 : std::exp(std::numbers::ln10 * (x_center - d.x[i]) * hill);
        for (int k = 0; k < grid; ++k) {
          s_row[k] = 1.0 / (1.0 + sums.scale[k] * a);
          t_row[k] = 1.0 - s_row[k];
        }
        row_x = d.x[i];
      }
      for (int k = 0; k < grid; ++k) {
        const double s = s_row[k], t = t_row[k];
        sums.sss[k] += w * s * s;
        sums.ss1[k] += w * s * t;
        sums.s11[k] += w * t * t;
        sums.sys[k] += wy * s;
        sums.sy1[k] += wy * t;
      }
    }
    for (int k = 0; k < grid; ++k) {
      const double sss = sums.sss[k], ss1 = sums.ss1[k], s11 = sums.s11[k];
      const double sys = sums.sys[k], sy1 = sums.sy1[k];
      double top = c.fixed_value[kTop], bottom = c.fixed_value[kBottom];
      if (!c.fixed[kTop] && !c.fixed[kBottom]) {
        const double det = sss * s11 - ss1 * ss1;
        if (det > 1e-12 * sss * s11) {
          top = (sys * s11 - sy1 * ss1) / det;
          bottom = (sy1 * sss - sys * ss1) / det;
        } else {
          top = bottom = (sys + sy1) / (sss + 2 * ss1 + s11);
        }
      } else if (!c.fixed[kTop]) {
        top = sss > 0 ? (sys - bottom * ss1) / sss : bottom;
      } else if (!c.fixed[kBottom]) {
        bottom = s11 > 0 ? (sy1 - top * ss1) / s11 : top;
      }
      top = std::clamp(top, c.lower[kTop], c.upper[kTop]);
      bottom = std::clamp(bottom, c.lower[kBottom], c.upper[kBottom]);
      const double ss = y_weighted_sq - 2 * (top * sys + bottom * sy1) + top * top * sss +
                        2 * top * bottom * ss1 + bottom * bottom * s11;
      if (ss < best.ss) best = {ss, {top, bottom, log_ic50s[k], hill}};
    }
  }
  if (!std::isfinite(best.ss)) {
    // Degenerate input (all weights zero, say): a neutral start inside the bounds.
    best.params = {c.fixed[kTop] ? c.fixed_value[kTop] : 1.0,
                   c.fixed[kBottom] ? c.fixed_value[kBottom] : 0.0, x_center,
                   c.fixed[kHillSlope] ? c.fixed_value[kHillSlope] : -1.0};
    for (int j = 0; j < kLogistic4Params; ++j)
      best.params[j] = std::clamp(best.params[j], c.lower[j], c.upper[j]);
  }
  return best.params;
}

}  // namespace assay::protocols::fit::detail
