// Plate quality control from the control wells: Z'-factor (Zhang 1999), signal-to-background,
// CV per group, pass/fail. Pure functions, thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::protocols::fit {

struct GroupStats {
  int n = 0;
  double mean = 0.0;
  double sd = 0.0;  // sample SD (n - 1)
  double cv_percent = 0.0;
};

GroupStats group_stats(std::span<const double> values);

struct PlateQc {
  GroupStats positive;  // e.g. stimulated + vehicle (100 %)
  GroupStats negative;  // e.g. unstimulated (0 %)
  double z_prime = 0.0;  // 1 - 3 (sd+ + sd-) / |mean+ - mean-|
  double signal_to_background = 0.0;  // mean+ / mean-
  double z_prime_threshold = 0.5;
  bool pass = false;
  std::vector<std::string> flags;  // "too_few_controls", "no_separation"
};

PlateQc plate_qc(std::span<const double> positive, std::span<const double> negative,
                 double z_prime_threshold = 0.5);

nlohmann::json to_json(const PlateQc& qc);

}  // namespace assay::protocols::fit
