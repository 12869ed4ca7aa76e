// Residuals and analytic Jacobian of the four-parameter logistic; see logistic4.hpp.
#include "fit/logistic4.hpp"

namespace assay::protocols::fit::detail {

void Logistic4Model::evaluate(std::span<const double> params, std::span<double> residuals,
                              std::span<double> jacobian) const {
  const double top = params[kTop], bottom = params[kBottom];
  const double log_ic50 = params[kLogIc50], hill = params[kHillSlope];
  const double span = top - bottom;
  const bool want_jacobian = !jacobian.empty();
  const std::size_t n = x_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const LogisticFraction f = logistic_fraction(x_[i], log_ic50, hill);
    const double sw = sqrt_weight_[i];
    residuals[i] = sw * (bottom + span * f.s - y_[i]);
    if (!want_jacobian) continue;
    double* row = jacobian.data() + i * kLogistic4Params;
    row[kTop] = sw * f.s;
    row[kBottom] = sw * f.complement;
    if (std::isinf(x_[i])) {
      // Concentration 0 sits on a plateau: no dependence on position or slope.
      row[kLogIc50] = 0.0;
      row[kHillSlope] = 0.0;
    } else {
      // ds/dz = -s (1 - s) with z = ln10 (L - x) h.
      const double dz = -sw * span * f.s * f.complement * std::numbers::ln10;
      row[kLogIc50] = dz * hill;
      row[kHillSlope] = dz * (log_ic50 - x_[i]);
    }
  }
}

}  // namespace assay::protocols::fit::detail
