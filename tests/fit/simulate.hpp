// Simulated dose-response curves with known truth for the property tests and the benchmark:
// Prism's 4PL at log-spaced concentrations plus Gaussian noise (a fixed-seed generator, so a
// failure reproduces).
#pragma once

#include <cmath>
#include <random>
#include <vector>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::test {

struct TrueCurve {
  double top = 100.0, bottom = 0.0, log_ic50 = -7.0, hill_slope = -1.0;
  double at(double conc) const {
    if (conc == 0) return hill_slope < 0 ? top : bottom;
    return bottom + (top - bottom) / (1.0 + std::pow(10.0, (log_ic50 - std::log10(conc)) * hill_slope));
  }
};

// `count` concentrations from 10^log_low upward in steps of `step_log` (molar, say).
inline std::vector<double> log_series(double log_low, double step_log, int count) {
  std::vector<double> conc;
  for (int i = 0; i < count; ++i) conc.push_back(std::pow(10.0, log_low + step_log * i));
  return conc;
}

inline std::vector<protocols::fit::DosePoint> simulate(const TrueCurve& truth,
                                                       const std::vector<double>& conc,
                                                       double noise_sd, std::mt19937_64& rng,
                                                       int replicates = 1) {
  std::normal_distribution<double> noise(0.0, noise_sd);
  std::vector<protocols::fit::DosePoint> points;
  for (int r = 0; r < replicates; ++r)
    for (double c : conc) points.push_back({c, truth.at(c) + noise(rng)});
  return points;
}

}  // namespace assay::test
