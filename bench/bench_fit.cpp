// Speed of the dose-response engine, measured beside scipy.optimize.curve_fit in the same run.
//   bench_fit [--curves N] [--no-scipy]
// Times are CPU time of the fitting thread (CLOCK_THREAD_CPUTIME_ID; Python: time.thread_time).
// 1. N simulated 12-point curves (0.5-log steps, Hill 0.5-3, noise 2-20 %): median time of one
//    full fit (start values, LM, SEs, asymptotic and profile CIs) and curves per second, one core.
// 2. A 1536-well plate: 96 compounds x 16 points, all fits with CIs, median of 10 plates.
// 3. The same N curves through bench/scipy_fit_bench.py (curve_fit): median time per curve, the
//    speed ratio, and whether both reach the same optimum (RSS within 1e-6 relative).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fit/simulate.hpp"

using namespace assay::protocols::fit;
// CPU time of this thread: on a shared, loaded machine wall time mostly measures the scheduler.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec));
  }
};

namespace {

std::vector<std::vector<DosePoint>> make_curves(int count, int points_per_curve, double step_log,
                                                std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const auto conc = assay::test::log_series(-10, step_log, points_per_curve);
  const double log_high = -10 + step_log * (points_per_curve - 1);
  std::vector<std::vector<DosePoint>> curves;
  for (int i = 0; i < count; ++i) {
    assay::test::TrueCurve t;
    t.top = 80 + 40 * u(rng);
    t.bottom = -10 + 30 * u(rng);
    t.log_ic50 = -10 + 1.0 + (log_high + 10 - 2.0) * u(rng);
    t.hill_slope = -std::exp(std::log(0.5) + std::log(6.0) * u(rng));
    curves.push_back(assay::test::simulate(t, conc, (0.02 + 0.18 * u(rng)) * (t.top - t.bottom), rng));
  }
  return curves;
}

// assayd's default caps on one curve (FitOptions defaults), to classify scipy's optimum.
struct Caps {
  double log_low = 0, log_high = 0, y_low = 0, y_high = 0, hill = 10.0;
  bool exclude(const std::vector<double>& p) const {  // top, bottom, log_ic50, hill
    auto outside = [](double v, double lo, double hi) { return !(v >= lo && v <= hi); };
    return outside(p[0], y_low, y_high) || outside(p[1], y_low, y_high) ||
           outside(p[2], log_low, log_high) || std::abs(p[3]) > hill;
  }
};

Caps default_caps(const std::vector<DosePoint>& points) {
  const FitOptions defaults;
  double x_lo = 1e300, x_hi = -1e300, y_lo = 1e300, y_hi = -1e300;
  for (const auto& p : points) {
    if (p.conc > 0) {
      x_lo = std::min(x_lo, std::log10(p.conc));
      x_hi = std::max(x_hi, std::log10(p.conc));
    }
    y_lo = std::min(y_lo, p.response);
    y_hi = std::max(y_hi, p.response);
  }
  const double reach = defaults.plateau_reach * (y_hi - y_lo);
  return {x_lo - defaults.log_ic50_reach_log, x_hi + defaults.log_ic50_reach_log, y_lo - reach,
          y_hi + reach, defaults.max_abs_hill_slope};
}

// The 1-minute load average (/proc/loadavg): CPU time is robust to load, but say what it was.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one_minute;
  in >> one_minute;
  return one_minute.empty() ? "unknown" : one_minute;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median over curves of the time of one fit (each curve fitted `repeats` times in a row).
double time_per_curve_us(const std::vector<std::vector<DosePoint>>& curves, const FitOptions& o,
                         int repeats, std::vector<DoseResponseFit>* fits) {
  std::vector<double> per_curve;
  for (const auto& c : curves) {
    DoseResponseFit fit;
    const auto t0 = Clock::now();
    for (int r = 0; r < repeats; ++r) fit = fit_dose_response(c, o);
    per_curve.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / repeats);
    if (fits) fits->push_back(std::move(fit));
  }
  return median(per_curve);
}

}  // namespace

int main(int argc, char** argv) {
  int count = 1000;
  bool scipy = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--curves" && i + 1 < argc) count = std::atoi(argv[++i]);
    if (a == "--no-scipy") scipy = false;
  }
  std::printf("load average (1 min) at start: %s\n", load_average().c_str());
  const auto curves = make_curves(count, 12, 0.5, 1);
  FitOptions with_ci, no_profile;
  no_profile.profile_ci = false;
  std::vector<DoseResponseFit> fits;
  time_per_curve_us(curves, with_ci, 3, nullptr);  // warm-up
  const double us_full = time_per_curve_us(curves, with_ci, 20, &fits);
  const double us_asym = time_per_curve_us(curves, no_profile, 20, nullptr);
  const auto t0 = Clock::now();
  for (const auto& c : curves) fit_dose_response(c, with_ci);
  const double batch_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("12-point 4PL, %d curves, one core:\n", count);
  std::printf("  full fit with SEs, asymptotic + profile CIs: median %.2f us/curve\n", us_full);
  std::printf("  full fit with SEs, asymptotic CIs only:      median %.2f us/curve\n", us_asym);
  std::printf("  throughput with all CIs: %.0f curves/s\n", count / batch_s);
  int not_converged = 0, usable = 0;
  for (const auto& f : fits) {
    not_converged += !f.converged;
    usable += f.usable();
  }
  std::printf("  flags: %d of %d not converged, %d usable\n", not_converged, count, usable);

  const auto plate = make_curves(96, 16, 0.4, 2);
  std::vector<double> plate_ms;
  for (int rep = 0; rep < 10; ++rep) {
    const auto p0 = Clock::now();
    for (const auto& c : plate) fit_dose_response(c, with_ci);
    plate_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - p0).count());
  }
  std::printf("1536-well plate, 96 curves x 16 points, all CIs: median %.3f ms per plate\n",
              median(plate_ms));
  std::printf("load average (1 min) after the assayd runs: %s\n", load_average().c_str());
  if (!scipy) return 0;

  const auto dir = std::filesystem::temp_directory_path() / "assay_bench_fit";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "curves.csv");
    out.precision(17);
    out << "curve,conc,response\n";
    for (std::size_t i = 0; i < curves.size(); ++i)
      for (const auto& p : curves[i]) out << i << ',' << p.conc << ',' << p.response << '\n';
  }
  // The script sits beside this source file (CMake passes absolute source paths).
  const std::string source_script =
      (std::filesystem::path(__FILE__).parent_path() / "scipy_fit_bench.py").string();
  const std::string cmd = "/usr/bin/python3 " + source_script + " --input " +
                          (dir / "curves.csv").string() + " --output " +
                          (dir / "scipy.json").string();
  if (std::system(cmd.c_str()) != 0) {
    std::printf("scipy comparison failed to run: %s\n", cmd.c_str());
    return 1;
  }
  std::ifstream in(dir / "scipy.json");
  const auto results = nlohmann::json::parse(in);
  std::vector<double> t_default, t_analytic;
  int same = 0, ours_better = 0, scipy_better = 0, scipy_failed = 0;
  int scipy_beyond_caps = 0, scipy_better_within_caps = 0;
  std::vector<double> excess_within_caps;
  for (const auto& r : results) {
    t_default.push_back(r["seconds_default"].get<double>() * 1e6);
    t_analytic.push_back(r["seconds_analytic_jac"].get<double>() * 1e6);
    if (!r.contains("rss")) {
      ++scipy_failed;
      continue;
    }
    const int curve = r["curve"].get<int>();
    const double ours = fits[curve].rss, theirs = r["rss"].get<double>();
    if (std::abs(ours - theirs) <= 1e-6 * theirs) {
      ++same;
    } else if (ours < theirs) {
      ++ours_better;
    } else {
      ++scipy_better;
      // Is scipy's optimum one that assayd's default caps exclude (|HillSlope| <= 10, LogIC50
      // within 6 logs of the doses, plateaus within 2 response ranges)?
      const auto params = r["params"].get<std::vector<double>>();
      const Caps caps = default_caps(curves[curve]);
      if (caps.exclude(params)) {
        ++scipy_beyond_caps;
      } else {
        ++scipy_better_within_caps;
        excess_within_caps.push_back((ours - theirs) / theirs);
      }
    }
  }
  std::printf("load average (1 min) after scipy: %s\n", load_average().c_str());
  const double scipy_default = median(t_default), scipy_analytic = median(t_analytic);
  std::printf("scipy curve_fit on the same %zu curves (fit only, no CIs):\n", results.size());
  std::printf("  default (numerical Jacobian): median %.1f us/curve -> assayd %.0fx faster "
              "(%.0fx without the profile interval)\n",
              scipy_default, scipy_default / us_full, scipy_default / us_asym);
  std::printf("  analytic Jacobian:            median %.1f us/curve -> assayd %.0fx faster "
              "(%.0fx without the profile interval)\n",
              scipy_analytic, scipy_analytic / us_full, scipy_analytic / us_asym);
  std::printf("  optimum: same %d, assayd lower RSS %d, scipy lower RSS %d, scipy failed %d\n",
              same, ours_better, scipy_better, scipy_failed);
  std::printf("  scipy lower: %d beyond assayd's default caps, %d within them", scipy_beyond_caps,
              scipy_better_within_caps);
  if (!excess_within_caps.empty())
    std::printf(" (assayd RSS higher by median %.2e, max %.2e relative)", median(excess_within_caps),
                *std::max_element(excess_within_caps.begin(), excess_within_caps.end()));
  std::printf("\n");
  return 0;
}
