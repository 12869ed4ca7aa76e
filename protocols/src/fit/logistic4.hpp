// The four-parameter logistic as a least-squares model, in Prism's log(inhibitor) form:
//   Y = Bottom + (Top - Bottom) / (1 + 10^((LogIC50 - X) * HillSlope)),  X = log10(conc).
// Parameter order: top, bottom, log_ic50, hill_slope. X = -infinity (concentration 0) gives Top
// for a falling curve and Bottom for a rising one. Residuals are sqrt(w) * (model - y).
// Holds spans into the caller's data: keep the data alive while the model is used. Read-only.
#pragma once

#include <array>
#include <cmath>
#include <numbers>
#include <span>

#include "assay/protocols/fit/least_squares.hpp"

namespace assay::protocols::fit::detail {

enum Logistic4Param : int { kTop = 0, kBottom = 1, kLogIc50 = 2, kHillSlope = 3 };
inline constexpr int kLogistic4Params = 4;
using Logistic4Params = std::array<double, kLogistic4Params>;

// Fraction of the way from Bottom to Top, s = 1 / (1 + 10^((L - x) h)), and its complement.
struct LogisticFraction {
  double s = 0.0;
  double complement = 0.0;  // 1 - s, computed without cancellation
};

inline LogisticFraction logistic_fraction(double x, double log_ic50, double hill) {
  if (std::isinf(x) && x < 0) {
    if (hill < 0) return {1.0, 0.0};
    if (hill > 0) return {0.0, 1.0};
    return {0.5, 0.5};
  }
  const double e = std::exp(std::numbers::ln10 * (log_ic50 - x) * hill);
  const double s = 1.0 / (1.0 + e);
  return {s, e >= 1.0 ? 1.0 - s : e * s};
}

inline double logistic4(const Logistic4Params& p, double x) {
  const LogisticFraction f = logistic_fraction(x, p[kLogIc50], p[kHillSlope]);
  return p[kBottom] + (p[kTop] - p[kBottom]) * f.s;
}

class Logistic4Model final : public LeastSquaresModel {
 public:
  // x: log10 concentration (-inf allowed), y: response, sqrt_weight: sqrt of each point's weight.
  Logistic4Model(std::span<const double> x, std::span<const double> y,
                 std::span<const double> sqrt_weight)
      : x_(x), y_(y), sqrt_weight_(sqrt_weight) {}

  int num_residuals() const override { return static_cast<int>(x_.size()); }
  int num_parameters() const override { return kLogistic4Params; }
  void evaluate(std::span<const double> params, std::span<double> residuals,
                std::span<double> jacobian) const override;

 private:
  std::span<const double> x_, y_, sqrt_weight_;
};

}  // namespace assay::protocols::fit::detail
