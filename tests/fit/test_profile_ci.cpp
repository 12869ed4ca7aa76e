// The profile-likelihood interval of LogIC50 against a brute-force profile (a dense scan over
// HillSlope with exact plateaus, polished by the general solver) evaluated just inside and just
// outside each reported end. The threshold must be crossed within the stated
// tolerance (ProfileSettings::tolerance_log = 1e-6 log units); an unbounded side must stay below
// the threshold out to the search limit.
#include <catch2/catch.hpp>

#include <cstdio>

#include "assay/protocols/fit/distributions.hpp"
#include "fit/curve_problem.hpp"
#include "fit/profile_ci.hpp"
#include "fit/separable_logistic4.hpp"
#include "fit/simulate.hpp"

using namespace assay::protocols::fit;
using assay::test::TrueCurve;

namespace {

const std::vector<double> kConc = assay::test::log_series(-10.0, 0.5, 12);

// The profile SS at `log_ic50`, globally over HillSlope: Top and Bottom are exact (linear least
// squares) for each of 400 slopes of either sign up to the cap, and the best few are polished by
// the general solver with LogIC50 held.
double brute_force_profile(const detail::CurveProblem& problem, double log_ic50) {
  detail::CurveConstraints held = problem.constraints;
  held.fixed[detail::kLogIc50] = true;
  held.fixed_value[detail::kLogIc50] = held.lower[detail::kLogIc50] =
      held.upper[detail::kLogIc50] = log_ic50;
  detail::SeparableLogistic4 projection(problem.data);
  std::vector<std::pair<double, double>> scan;  // (SS, HillSlope)
  for (int k = 0; k < 200; ++k) {
    const double magnitude = 0.02 * std::pow(10.0 / 0.02, k / 199.0);
    for (double hill : {-magnitude, magnitude}) {
      hill = std::clamp(hill, held.lower[detail::kHillSlope], held.upper[detail::kHillSlope]);
      const double ss = projection.projected_ss(held, log_ic50, hill);
      if (std::isfinite(ss)) scan.emplace_back(ss, hill);
    }
  }
  std::sort(scan.begin(), scan.end());
  const detail::Logistic4Model model(problem.data.x, problem.data.y, problem.data.sqrt_weight);
  LeastSquaresOptions tight;
  tight.compute_covariance = false;
  tight.bound_step = false;
  LeastSquaresSolver solver;
  double best = scan.empty() ? std::numeric_limits<double>::infinity() : scan.front().first;
  for (std::size_t k = 0; k < std::min<std::size_t>(scan.size(), 4); ++k) {
    const detail::ProjectedPoint p = projection.project(held, log_ic50, scan[k].second);
    if (!p.ok) continue;
    const std::vector<double> start(p.params.begin(), p.params.end());
    const LeastSquaresResult& r = solver.solve(model, start, held.to_solver(), tight);
    if (r.converged) best = std::min(best, r.cost);
  }
  return best;
}

}  // namespace

TEST_CASE("profile interval ends sit where a brute-force profile crosses the threshold", "[profile]") {
  const double tol = detail::ProfileSettings{}.tolerance_log;
  std::mt19937_64 rng(2718);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int ends = 0, located = 0, unbounded = 0, unbounded_ok = 0;
  for (int i = 0; i < 1000; ++i) {
    TrueCurve t;
    t.top = 80.0 + 40.0 * u(rng);
    t.bottom = -10.0 + 30.0 * u(rng);
    t.log_ic50 = -10.5 + 6.5 * u(rng);  // includes curves with one plateau missing
    t.hill_slope = -std::exp(std::log(0.5) + std::log(6.0) * u(rng));
    const auto points =
        assay::test::simulate(t, kConc, (0.02 + 0.18 * u(rng)) * (t.top - t.bottom), rng);
    const DoseResponseFit fit = fit_dose_response(points);
    if (!fit.converged || !fit.log_ic50_profile_low || !fit.log_ic50_profile_high) continue;
    DoseResponseFit scratch;
    const detail::CurveProblem problem = detail::prepare_curve(points, FitOptions{}, scratch);
    const double threshold = fit.rss * (1.0 + f_quantile(0.95, 1.0, fit.df) / fit.df);
    for (double direction : {-1.0, 1.0}) {
      const double end = direction < 0 ? *fit.log_ic50_profile_low : *fit.log_ic50_profile_high;
      if (std::isinf(end)) {
        ++unbounded;
        const double limit = direction < 0 ? problem.data.x_min - 6.0 : problem.data.x_max + 6.0;
        unbounded_ok += brute_force_profile(problem, limit) < threshold;
        continue;
      }
      ++ends;
      const double inside = brute_force_profile(problem, end - direction * tol);
      const double outside = brute_force_profile(problem, end + direction * tol);
      const bool ok = inside < threshold && outside > threshold;
      if (!ok) {
        std::printf("curve %d end %.9f: profile SS inside %.12g, outside %.12g, threshold %.12g\n",
                    i, end, inside, outside, threshold);
        std::printf("   fit T %g B %g L %g h %g rss %.10g flags %zu se %g  xmin %g\n", fit.top.value, fit.bottom.value, fit.log_ic50.value, fit.hill_slope.value, fit.rss, fit.flags.size(), fit.log_ic50.se, problem.data.x_min);
        for (auto& f : fit.flags) std::printf("    %s\n", f.c_str());
      }
      located += ok;
    }
  }
  std::printf("profile ends: %d/%d located within %.0e log units by a brute-force profile; "
              "%d/%d unbounded sides stay below the threshold to the search limit\n",
              located, ends, tol, unbounded_ok, unbounded);
  CHECK(ends >= 1500);
  // A miss is a narrow minimum of the SS in HillSlope near the cap (a step placed between two
  // doses) that the probes at the end step over: about 1 end in 5000.
  CHECK(located >= ends - ends / 1000);
  CHECK(unbounded_ok == unbounded);
}
