// Prism's relative weighting (weights 1/Ycurve^2 from the fitted curve, by iterative
// reweighting): the fit must reproduce its own weights, i.e. equal a fit with those weights given.
#include <catch2/catch.hpp>

#include "fit/simulate.hpp"

using namespace assay::protocols::fit;
using assay::test::TrueCurve;

namespace {

// Multiplicative noise: SD proportional to the response, where relative weighting is right.
std::vector<DosePoint> relative_noise_curve(std::uint64_t seed, double relative_sd) {
  const TrueCurve truth{100.0, 5.0, -7.0, -1.2};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, relative_sd);
  auto points = assay::test::simulate(truth, assay::test::log_series(-10, 0.5, 12), 0.0, rng, 2);
  for (auto& p : points) p.response *= 1.0 + noise(rng);
  return points;
}

}  // namespace

TEST_CASE("relative weighting (1/Ycurve^2) is a fixed point: the fit reproduces its own weights", "[4pl][weights]") {
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    auto points = relative_noise_curve(seed, 0.08);
    FitOptions relative;
    relative.weighting = Weighting::inverse_fit_squared;
    const DoseResponseFit fit = fit_dose_response(points, relative);
    REQUIRE(fit.converged);
    REQUIRE(fit.usable());
    FitOptions given;
    given.weighting = Weighting::given;
    for (auto& p : points) {
      const double predicted = fit.predict(p.conc);
      p.weight = 1.0 / (predicted * predicted);
    }
    const DoseResponseFit refit = fit_dose_response(points, given);
    REQUIRE(refit.converged);
    CHECK(refit.log_ic50.value == Approx(fit.log_ic50.value).epsilon(1e-7));
    CHECK(refit.hill_slope.value == Approx(fit.hill_slope.value).epsilon(1e-7));
    CHECK(refit.top.value == Approx(fit.top.value).epsilon(1e-7));
    CHECK(refit.bottom.value == Approx(fit.bottom.value).epsilon(1e-6));
    CHECK(refit.log_ic50.se == Approx(fit.log_ic50.se).epsilon(1e-5));
    CHECK(refit.rss == Approx(fit.rss).epsilon(1e-7));
    CHECK(*refit.log_ic50_profile_low == Approx(*fit.log_ic50_profile_low).margin(1e-6));
  }
}

TEST_CASE("relative weighting differs from weighting by the observed Y", "[4pl][weights]") {
  const auto points = relative_noise_curve(9, 0.1);
  FitOptions by_curve, by_data;
  by_curve.weighting = Weighting::inverse_fit_squared;
  by_data.weighting = Weighting::inverse_y_squared;
  const DoseResponseFit a = fit_dose_response(points, by_curve);
  const DoseResponseFit b = fit_dose_response(points, by_data);
  REQUIRE(a.usable());
  REQUIRE(b.usable());
  CHECK(a.log_ic50.value != b.log_ic50.value);
  CHECK(a.log_ic50.value == Approx(-7.0).margin(0.2));
  // Observed-Y weights favour points that came out low: the bottom plateau is pulled down.
  CHECK(b.bottom.value < a.bottom.value);
}
