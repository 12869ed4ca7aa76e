// 4PL fits of the drc package's published datasets reach the least-squares optimum: no start
// anywhere on a grid finds a lower RSS, and no small move of any parameter lowers it. The classic
// ryegrass fit matches drc's published LL.4 estimates. (tests/scripts/fit_scipy_compare.py checks
// the same fits against scipy.optimize.curve_fit.)
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "fit/drc_datasets.hpp"

using namespace assay::protocols::fit;

namespace {

double rss_at(std::span<const DosePoint> points, double top, double bottom, double log_ic50, double hill) {
  DoseResponseFit f;
  f.top.value = top;
  f.bottom.value = bottom;
  f.log_ic50.value = log_ic50;
  f.hill_slope.value = hill;
  double rss = 0;
  for (const auto& p : points) rss += std::pow(f.predict(p.conc) - p.response, 2);
  return rss;
}

}  // namespace

TEST_CASE("ryegrass 4PL matches drc's published LL.4 fit", "[drc]") {
  const auto table = assay::test::read_drc({"ryegrass", "conc", "rootl", ""});
  const auto fit = fit_dose_response(table.curves.at(0).points);
  REQUIRE(fit.usable());
  // drc: b = 2.98222, c = 0.48141, d = 7.79296, e = 3.05795 (Ritz et al. 2015)
  CHECK(-fit.hill_slope.value == Approx(2.98222).epsilon(2e-5));
  CHECK(fit.bottom.value == Approx(0.48141).epsilon(2e-5));
  CHECK(fit.top.value == Approx(7.79296).epsilon(2e-5));
  CHECK(fit.ic50 == Approx(3.05795).epsilon(2e-5));
  // drc's SE of e (0.18573, from a numerical Hessian) in log10 units: 0.18573 / (e ln 10)
  CHECK(fit.log_ic50.se == Approx(0.18573 / (3.05795 * std::log(10.0))).epsilon(5e-3));
  CHECK(fit.df == 20);
}

TEST_CASE("every drc dataset curve is fitted to its least-squares optimum", "[drc]") {
  int curves = 0;
  for (const auto& set : assay::test::drc_datasets()) {
    const auto table = assay::test::read_drc(set);
    for (const auto& curve : table.curves) {
      ++curves;
      INFO(set.file << " group '" << curve.group << "'");
      FitOptions options;
      options.profile_ci = false;
      const auto fit = fit_dose_response(curve.points, options);
      CHECK(fit.converged);
      // Multi-start: LogIC50 confined to windows across the tested range and beyond.
      double best_other = fit.rss;
      for (double center = -12; center <= 6; center += 0.5) {
        FitOptions window = options;
        window.log_ic50.lower = center - 0.5;
        window.log_ic50.upper = center + 0.5;
        best_other = std::min(best_other, fit_dose_response(curve.points, window).rss);
      }
      CHECK(fit.rss <= best_other * (1 + 1e-9));
      // Local optimality: a relative nudge of any parameter does not lower the RSS (a parameter
      // resting on one of the default caps is nudged inward only).
      const double p[4] = {fit.top.value, fit.bottom.value, fit.log_ic50.value, fit.hill_slope.value};
      const bool capped[4] = {fit.has_flag(kFlagPlateauAtLimit), fit.has_flag(kFlagPlateauAtLimit),
                              false, fit.has_flag(kFlagHillAtLimit)};
      for (int j = 0; j < 4; ++j) {
        for (double sign : {-1.0, 1.0}) {
          if (capped[j] && sign * p[j] > 0 && j == 3) continue;
          if (capped[j] && j < 2) continue;
          double q[4] = {p[0], p[1], p[2], p[3]};
          q[j] += sign * 1e-4 * std::max(std::abs(q[j]), 1e-3);
          CHECK(rss_at(curve.points, q[0], q[1], q[2], q[3]) >= fit.rss * (1 - 1e-12));
        }
      }
      std::printf("drc %-16s %-12s n=%3d rss=%-12.6g log_ic50=%-9.4f hill=%-8.3f %s\n", set.file,
                  curve.group.c_str(), fit.n, fit.rss, fit.log_ic50.value, fit.hill_slope.value,
                  to_json(fit)["flags"].dump().c_str());
    }
  }
  CHECK(curves >= 40);
}
