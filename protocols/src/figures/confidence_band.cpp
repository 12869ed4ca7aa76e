// Asymptotic confidence band of a fitted 4PL curve (delta method), used by the dose-response
// figure. Covariance = s^2 (J^T J)^-1 over the free parameters at the fitted values, with
// s^2 = RSS / df from the points, and a Student t quantile for df.
#include <array>
#include <cmath>

#include "assay/protocols/figures/dose_response_svg.hpp"

namespace assay::protocols::figures {
namespace {

constexpr double kLn10 = 2.302585092994046;

// Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  const double low = 0.02425;
  if (p < low) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normal_quantile(1 - p);
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// Cornish-Fisher expansion of the Student t quantile; within 1 % for df >= 3, which is all a
// drawn band needs.
double t_quantile(double p, int df) {
  double z = normal_quantile(p);
  if (df <= 0) return z;
  double n = df, z2 = z * z;
  double g1 = (z2 + 1) * z / 4;
  double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n);
}

// Gradient of Y with respect to (top, bottom, log_ic50, hill_slope) at `conc`.
std::array<double, 4> gradient(const fit::DoseResponseFit& f, double conc) {
  double top = f.top.value, bottom = f.bottom.value, l = f.log_ic50.value, h = f.hill_slope.value;
  if (conc <= 0.0) return h < 0 ? std::array<double, 4>{1, 0, 0, 0} : std::array<double, 4>{0, 1, 0, 0};
  double x = std::log10(conc);
  double e = (l - x) * h;
  if (e > 300) return {0, 1, 0, 0};
  double u = std::pow(10.0, e), den = 1 + u;
  double common = -(top - bottom) * u * kLn10 / (den * den);
  return {1 / den, 1 - 1 / den, common * h, common * (l - x)};
}

double model(const fit::DoseResponseFit& f, double conc) {
  auto g = gradient(f, conc);
  return f.bottom.value + (f.top.value - f.bottom.value) * g[0];
}

// In-place inverse of a small symmetric positive matrix; false when singular.
bool invert(std::vector<std::vector<double>>& m) {
  const std::size_t n = m.size();
  std::vector<std::vector<double>> inv(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
    }
    if (std::abs(m[pivot][col]) < 1e-300) return false;
    std::swap(m[col], m[pivot]);
    std::swap(inv[col], inv[pivot]);
    double scale = m[col][col];
    for (std::size_t k = 0; k < n; ++k) {
      m[col][k] /= scale;
      inv[col][k] /= scale;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      double factor = m[r][col];
      for (std::size_t k = 0; k < n; ++k) {
        m[r][k] -= factor * m[col][k];
        inv[r][k] -= factor * inv[col][k];
      }
    }
  }
  m = std::move(inv);
  return true;
}

}  // namespace

std::vector<BandPoint> confidence_band(const std::vector<fit::DosePoint>& points,
                                       const fit::DoseResponseFit& f,
                                       const std::vector<double>& concs, double confidence) {
  std::vector<std::size_t> free;
  const fit::ParamEstimate* params[] = {&f.top, &f.bottom, &f.log_ic50, &f.hill_slope};
  for (std::size_t i = 0; i < 4; ++i) {
    if (!params[i]->fixed) free.push_back(i);
  }
  int df = static_cast<int>(points.size()) - static_cast<int>(free.size());
  if (free.empty() || df <= 0) return {};

  std::vector<std::vector<double>> jtj(free.size(), std::vector<double>(free.size(), 0.0));
  double rss = 0.0;
  for (const auto& p : points) {
    if (!std::isfinite(p.response) || !std::isfinite(p.conc)) continue;
    auto g = gradient(f, p.conc);
    double r = p.response - model(f, p.conc);
    rss += r * r;
    for (std::size_t i = 0; i < free.size(); ++i) {
      for (std::size_t j = 0; j < free.size(); ++j) jtj[i][j] += g[free[i]] * g[free[j]];
    }
  }
  if (!invert(jtj)) return {};
  double s2 = rss / df;
  double t = t_quantile(0.5 + confidence / 2, df);

  std::vector<BandPoint> band;
  band.reserve(concs.size());
  for (double conc : concs) {
    auto g = gradient(f, conc);
    double var = 0.0;
    for (std::size_t i = 0; i < free.size(); ++i) {
      for (std::size_t j = 0; j < free.size(); ++j) var += g[free[i]] * jtj[i][j] * g[free[j]];
    }
    double half = t * std::sqrt(std::max(0.0, var * s2));
    double y = model(f, conc);
    band.push_back({conc, y - half, y + half});
  }
  return band;
}

}  // namespace assay::protocols::figures
