// Iteratively reweighted 4PL fit with weights 1/Ycurve^2 (Prism's relative weighting); see
// curve_problem.hpp.
#include <algorithm>
#include <cmath>

#include "fit/curve_problem.hpp"

namespace assay::protocols::fit::detail {
namespace {

constexpr int kMaxRounds = 50;
constexpr double kSettled = 1e-9;  // relative change of every parameter between rounds

bool weights_from_curve(CurveData& d, const std::vector<double>& params) {
  const Logistic4Params p{params[kTop], params[kBottom], params[kLogIc50], params[kHillSlope]};
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double predicted = logistic4(p, d.x[i]);
    if (!std::isfinite(predicted) || predicted == 0.0) return false;
    d.weight[i] = 1.0 / (predicted * predicted);
    d.sqrt_weight[i] = 1.0 / std::abs(predicted);
  }
  return true;
}

}  // namespace

LeastSquaresResult solve_curve_relative_weights(CurveData& d, const CurveConstraints& c) {
  std::fill(d.weight.begin(), d.weight.end(), 1.0);
  std::fill(d.sqrt_weight.begin(), d.sqrt_weight.end(), 1.0);
  LeastSquaresResult r = solve_curve(d, c, initial_guess(d, c));
  int iterations = r.iterations;
  for (int round = 0; round < kMaxRounds && r.converged; ++round) {
    if (!weights_from_curve(d, r.params)) break;
    const std::vector<double> previous = r.params;
    Logistic4Params start{};
    std::copy(previous.begin(), previous.end(), start.begin());
    r = solve_curve(d, c, start);
    iterations += r.iterations;
    r.iterations = iterations;
    bool settled = r.converged;
    for (int j = 0; j < kLogistic4Params && settled; ++j)
      settled = std::abs(r.params[j] - previous[j]) <= kSettled * (std::abs(previous[j]) + kSettled);
    if (settled) return r;
  }
  r.converged = false;
  r.iterations = iterations;
  return r;
}

}  // namespace assay::protocols::fit::detail
