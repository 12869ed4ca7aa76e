// Behaviour of fit_dose_response on hand-made curves: conventions, variants, flags, weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "fit/simulate.hpp"

using namespace assay::protocols::fit;
using assay::test::TrueCurve;
using assay::test::log_series;
using assay::test::simulate;

namespace {

std::vector<DosePoint> exact_curve(const TrueCurve& t, const std::vector<double>& conc) {
  std::vector<DosePoint> points;
  for (double c : conc) points.push_back({c, t.at(c)});
  return points;
}

}  // namespace

TEST_CASE("noise-free inhibition curve returns the true parameters in Prism's convention", "[4pl]") {
  const TrueCurve truth{98.0, 3.0, -7.3, -1.2};
  const auto fit = fit_dose_response(exact_curve(truth, log_series(-10, 0.5, 12)));
  REQUIRE(fit.converged);
  CHECK(fit.top.value == Approx(98.0).epsilon(1e-8));
  CHECK(fit.bottom.value == Approx(3.0).epsilon(1e-7));
  CHECK(fit.log_ic50.value == Approx(-7.3).epsilon(1e-9));
  CHECK(fit.hill_slope.value == Approx(-1.2).epsilon(1e-8));
  CHECK(fit.ic50 == Approx(std::pow(10.0, -7.3)).epsilon(1e-8));
  CHECK(fit.n == 12);
  CHECK(fit.df == 8);
  CHECK(fit.r2 == Approx(1.0));
  CHECK(fit.usable());
  CHECK(fit.flags.empty());
}

TEST_CASE("an increasing (agonist) curve fits with a positive Hill slope and Top above Bottom", "[4pl]") {
  const TrueCurve truth{250.0, 10.0, -6.0, 1.7};
  std::mt19937_64 rng(7);
  const auto fit = fit_dose_response(simulate(truth, log_series(-9, 0.5, 12), 3.0, rng, 2));
  REQUIRE(fit.usable());
  CHECK(fit.hill_slope.value > 0);
  CHECK(fit.top.value > fit.bottom.value);
  CHECK(fit.log_ic50.value == Approx(-6.0).margin(0.05));
}

TEST_CASE("concentration 0 is the low-dose plateau (X = -infinity)", "[4pl]") {
  const TrueCurve truth{100.0, 0.0, -7.0, -1.0};
  auto points = exact_curve(truth, log_series(-9, 0.5, 9));
  points.push_back({0.0, 100.0});
  points.push_back({0.0, 100.0});
  const auto fit = fit_dose_response(points);
  REQUIRE(fit.converged);
  CHECK(fit.n == 11);
  CHECK(fit.log_ic50.value == Approx(-7.0).epsilon(1e-9));
  CHECK(fit.predict(0.0) == Approx(fit.top.value));
  CHECK(fit.predict(1.0) == Approx(fit.bottom.value).margin(1e-3));
}

TEST_CASE("the IC50 is the same relative to the data whatever the concentration unit", "[4pl]") {
  const TrueCurve nanomolar{100.0, 5.0, 1.5, -1.0};  // IC50 31.6 nM
  std::mt19937_64 rng(11);
  const auto points_nm = simulate(nanomolar, log_series(-1, 0.5, 12), 4.0, rng);
  auto points_m = points_nm;
  for (auto& p : points_m) p.conc *= 1e-9;
  const auto fit_nm = fit_dose_response(points_nm);
  const auto fit_m = fit_dose_response(points_m);
  REQUIRE(fit_nm.usable());
  REQUIRE(fit_m.usable());
  CHECK(fit_m.log_ic50.value == Approx(fit_nm.log_ic50.value - 9.0).margin(1e-7));
  CHECK(fit_m.log_ic50.se == Approx(fit_nm.log_ic50.se).epsilon(1e-5));
  CHECK(fit_m.rss == Approx(fit_nm.rss).epsilon(1e-9));
}

TEST_CASE("fixed Top and Bottom are kept and remove two degrees of freedom", "[4pl]") {
  const TrueCurve truth{100.0, 0.0, -7.0, -0.8};
  std::mt19937_64 rng(3);
  const auto points = simulate(truth, log_series(-10, 0.5, 12), 5.0, rng);
  FitOptions options;
  options.fixed_top = 100.0;
  options.fixed_bottom = 0.0;
  const auto fit = fit_dose_response(points, options);
  REQUIRE(fit.usable());
  CHECK(fit.top.value == 100.0);
  CHECK(fit.top.fixed);
  CHECK(fit.top.se == 0.0);
  CHECK(fit.bottom.value == 0.0);
  CHECK(fit.df == 10);
  CHECK(fit.log_ic50.value == Approx(-7.0).margin(0.15));
}

TEST_CASE("a fixed Hill slope of -1 is kept", "[4pl]") {
  const TrueCurve truth{100.0, 0.0, -7.0, -1.0};
  std::mt19937_64 rng(5);
  FitOptions options;
  options.fixed_hill_slope = -1.0;
  const auto fit = fit_dose_response(simulate(truth, log_series(-10, 0.5, 12), 5.0, rng), options);
  REQUIRE(fit.usable());
  CHECK(fit.hill_slope.value == -1.0);
  CHECK(fit.df == 9);
}

TEST_CASE("bounds hold a parameter inside its range", "[4pl]") {
  const TrueCurve truth{100.0, 20.0, -7.0, -1.0};
  std::mt19937_64 rng(9);
  FitOptions options;
  options.bottom.lower = 25.0;
  options.hill_slope.upper = 0.0;
  const auto fit = fit_dose_response(simulate(truth, log_series(-10, 0.5, 12), 2.0, rng), options);
  REQUIRE(fit.converged);
  CHECK(fit.bottom.value >= 25.0);
  CHECK(fit.bottom.value == Approx(25.0));
  CHECK(fit.hill_slope.value <= 0.0);
}

TEST_CASE("a flat curve is flagged inactive and has no IC50 in JSON", "[4pl][flags]") {
  std::mt19937_64 rng(21);
  const TrueCurve flat{100.0, 100.0, -7.0, -1.0};
  const auto fit = fit_dose_response(simulate(flat, log_series(-10, 0.5, 12), 5.0, rng));
  CHECK(fit.has_flag(kFlagInactive));
  CHECK_FALSE(fit.usable());
  const auto j = to_json(fit);
  CHECK(j["ic50"].is_null());
  CHECK(j["log_ic50"].is_null());
  CHECK(j["usable"] == false);
}

TEST_CASE("an IC50 beyond the highest concentration is flagged extrapolated", "[4pl][flags]") {
  const TrueCurve truth{100.0, 0.0, -4.3, -1.0};  // half-maximal beyond the top dose 10^-4.5
  const auto fit = fit_dose_response(exact_curve(truth, log_series(-10, 0.5, 12)));
  REQUIRE(fit.converged);
  CHECK(fit.has_flag(kFlagExtrapolated));
  CHECK(fit.usable());
  CHECK(fit.log_ic50.value == Approx(-4.3).margin(1e-6));
}

TEST_CASE("a curve that shows only the start of its fall has no IC50: plateau_at_limit", "[4pl][flags]") {
  const TrueCurve truth{100.0, 0.0, -3.5, -1.0};  // 9 % inhibition at the top dose
  std::mt19937_64 rng(31);
  const auto fit = fit_dose_response(simulate(truth, log_series(-10, 0.5, 12), 2.0, rng));
  CHECK_FALSE(fit.usable());
  CHECK((fit.has_flag(kFlagPlateauAtLimit) || fit.has_flag(kFlagInactive)));
  CHECK(to_json(fit)["ic50"].is_null());
}

TEST_CASE("too few points are reported, not fitted", "[4pl][flags]") {
  const TrueCurve truth;
  const auto fit = fit_dose_response(exact_curve(truth, log_series(-9, 1, 3)));
  CHECK(fit.has_flag(kFlagTooFewPoints));
  CHECK_FALSE(fit.converged);
  CHECK_FALSE(fit.usable());
  CHECK(std::isnan(fit.ic50));
}

TEST_CASE("non-finite and negative inputs are dropped and flagged", "[4pl][flags]") {
  const TrueCurve truth;
  auto points = exact_curve(truth, log_series(-10, 0.5, 12));
  points.push_back({1e-7, std::numeric_limits<double>::quiet_NaN()});
  points.push_back({std::numeric_limits<double>::infinity(), 50.0});
  points.push_back({-1e-7, 50.0});
  const auto fit = fit_dose_response(points);
  CHECK(fit.has_flag(kFlagNonFinite));
  CHECK(fit.has_flag(kFlagInvalidPoint));
  CHECK(fit.n == 12);
  CHECK(fit.n_dropped == 3);
  CHECK(fit.log_ic50.value == Approx(-7.0).epsilon(1e-8));
}

TEST_CASE("1/Y^2 weighting fits relative errors and differs from unweighted", "[4pl][weights]") {
  const TrueCurve truth{100.0, 1.0, -7.0, -1.0};
  std::mt19937_64 rng(13);
  auto points = simulate(truth, log_series(-10, 0.5, 12), 0.0, rng);
  std::normal_distribution<double> rel(0.0, 0.05);
  for (auto& p : points) p.response *= 1.0 + rel(rng);
  FitOptions weighted;
  weighted.weighting = Weighting::inverse_y_squared;
  const auto fw = fit_dose_response(points, weighted);
  const auto fu = fit_dose_response(points);
  REQUIRE(fw.usable());
  CHECK(fw.bottom.se < fu.bottom.se);  // small responses carry more weight
  CHECK(fw.log_ic50.value != fu.log_ic50.value);
}

TEST_CASE("given weights equal to 2 change nothing but a zero weight removes the point", "[4pl][weights]") {
  const TrueCurve truth;
  std::mt19937_64 rng(17);
  auto points = simulate(truth, log_series(-10, 0.5, 12), 4.0, rng);
  FitOptions given;
  given.weighting = Weighting::given;
  for (auto& p : points) p.weight = 2.0;
  const auto f2 = fit_dose_response(points, given);
  const auto f1 = fit_dose_response(points);
  CHECK(f2.log_ic50.value == Approx(f1.log_ic50.value).epsilon(1e-8));
  CHECK(f2.log_ic50.se == Approx(f1.log_ic50.se).epsilon(1e-6));
  points[3].weight = 0.0;
  CHECK(fit_dose_response(points, given).n == 11);
}

TEST_CASE("the profile interval brackets the estimate and sits at the F threshold", "[4pl][profile]") {
  const TrueCurve truth{100.0, 0.0, -7.0, -1.0};
  std::mt19937_64 rng(23);
  const auto points = simulate(truth, log_series(-10, 0.5, 12), 6.0, rng);
  const auto fit = fit_dose_response(points);
  REQUIRE(fit.usable());
  REQUIRE(fit.log_ic50_profile_low);
  REQUIRE(fit.log_ic50_profile_high);
  CHECK(*fit.log_ic50_profile_low < fit.log_ic50.value);
  CHECK(*fit.log_ic50_profile_high > fit.log_ic50.value);
  // At either end, the best fit with LogIC50 held there has SS = SSmin (1 + F/df).
  const double f_crit = 5.3176550715787174;  // F(0.95; 1, 8) = t(0.975; 8)^2
  const double threshold = fit.rss * (1.0 + f_crit / fit.df);
  for (double end : {*fit.log_ic50_profile_low, *fit.log_ic50_profile_high}) {
    FitOptions held;
    held.log_ic50.lower = held.log_ic50.upper = end;
    held.profile_ci = false;
    const auto constrained = fit_dose_response(points, held);
    CHECK(constrained.rss == Approx(threshold).epsilon(1e-5));
  }
}

TEST_CASE("JSON carries the documented snake_case fields", "[4pl][json]") {
  const TrueCurve truth;
  std::mt19937_64 rng(29);
  const auto j = to_json(fit_dose_response(simulate(truth, log_series(-10, 0.5, 12), 3.0, rng)));
  for (const char* key : {"top", "bottom", "ic50", "log_ic50", "hill_slope", "se", "ci95",
                          "ci95_profile", "rss", "r2", "df", "n", "iterations", "converged", "flags"})
    CHECK(j.contains(key));
  CHECK(j["ci95"]["log_ic50"].size() == 2);
  CHECK(j["ci95_profile"]["log_ic50"][0].get<double>() < j["log_ic50"].get<double>());
  CHECK(j["se"]["hill_slope"].get<double>() > 0);
}
