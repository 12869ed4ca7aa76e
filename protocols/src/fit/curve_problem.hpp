// A cleaned dose-response data set and the parameter constraints of one 4PL fit, shared by the
// starting-value search, the solver call and the profile-likelihood intervals. Plain values and
// pure functions.
#pragma once

#include <array>
#include <vector>

#include <span>

#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/fit/least_squares.hpp"
#include "fit/logistic4.hpp"

namespace assay::protocols::fit::detail {

struct CurveData {
  std::vector<double> x;  // log10(conc); -inf for concentration 0
  std::vector<double> y;
  std::vector<double> weight;
  std::vector<double> sqrt_weight;
  double x_min = 0.0;  // smallest finite x (lowest non-zero concentration)
  double x_max = 0.0;
  int distinct_x = 0;  // number of different concentrations, 0 included
};

struct CurveConstraints {
  std::array<bool, kLogistic4Params> fixed{};
  Logistic4Params lower{}, upper{};  // +/-infinity when unbounded; fixed ones hold the value
  Logistic4Params fixed_value{};

  ParameterConstraints to_solver() const {
    return {std::vector<bool>(fixed.begin(), fixed.end()),
            std::vector<double>(lower.begin(), lower.end()),
            std::vector<double>(upper.begin(), upper.end())};
  }
  int free_count() const {
    int count = 0;
    for (bool f : fixed) count += f ? 0 : 1;
    return count;
  }
};

struct CurveProblem {
  CurveData data;
  CurveConstraints constraints;
  bool hill_capped = false;  // |HillSlope| bounded by FitOptions::max_abs_hill_slope
  bool plateau_capped[2] = {false, false};  // Top, Bottom bounded by FitOptions::plateau_reach
};

// Cleans the points (dropped ones are counted and flagged in `fit`) and sets up the constraints:
// fixed values, the caller's bounds and the default caps of FitOptions. Throws
// std::invalid_argument for inconsistent options (crossed bounds, a confidence outside (0, 1)).
CurveProblem prepare_curve(std::span<const DosePoint> points, const FitOptions& options,
                           DoseResponseFit& fit);

// The least-squares 4PL fit from `start`, with the covariance. By default the variable-projection
// solver finds the optimum (and tries the other branch of a SS bimodal in HillSlope), and the
// covariance comes from a QR of the Jacobian there, as the general solver computes it. When the
// fast path does not converge, or the Jacobian is rank-deficient at its optimum, the general
// solver continues from its last point (from `start` if the fast path gave up); with `fast_path`
// false it alone runs from `start`.
LeastSquaresResult solve_curve(const CurveData& data, const CurveConstraints& constraints,
                               const Logistic4Params& start, bool fast_path = true);

// The fit with weights 1/Ycurve^2 from the fitted curve itself (Weighting::inverse_fit_squared):
// an unweighted fit, then refits with the weights of the previous curve until the parameters
// repeat to 1e-9 (relative). `data`'s weights end as those of the final curve. The result is not
// converged when the reweighting does not settle or the curve passes through 0 at a point.
LeastSquaresResult solve_curve_relative_weights(CurveData& data, const CurveConstraints& constraints);

// Starting values found without user input: a grid over (LogIC50, HillSlope) spanning the tested
// range and beyond, with Top and Bottom solved by linear least squares at each grid point (the
// model is linear in them). Needs no plateau in the data, respects fixed values and bounds.
Logistic4Params initial_guess(const CurveData& data, const CurveConstraints& constraints);

}  // namespace assay::protocols::fit::detail
