// Z'-factor, signal-to-background and CVs of the control wells; see plate_qc.hpp.
#include "assay/protocols/fit/plate_qc.hpp"

#include <cmath>
#include <limits>

namespace assay::protocols::fit {
namespace {

constexpr int kMinControlsPerGroup = 2;  // an SD needs two wells
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json to_json(const GroupStats& g) {
  return {{"n", g.n}, {"mean", number(g.mean)}, {"sd", number(g.sd)}, {"cv_percent", number(g.cv_percent)}};
}

}  // namespace

GroupStats group_stats(std::span<const double> values) {
  GroupStats g;
  double sum = 0.0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    ++g.n;
    sum += v;
  }
  if (g.n == 0) {
    g.mean = g.sd = g.cv_percent = kNaN;
    return g;
  }
  g.mean = sum / g.n;
  double ss = 0.0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - g.mean) * (v - g.mean);
  g.sd = g.n > 1 ? std::sqrt(ss / (g.n - 1)) : kNaN;
  g.cv_percent = g.mean != 0 ? 100.0 * g.sd / std::abs(g.mean) : kNaN;
  return g;
}

PlateQc plate_qc(std::span<const double> positive, std::span<const double> negative,
                 double z_prime_threshold) {
  PlateQc qc;
  qc.positive = group_stats(positive);
  qc.negative = group_stats(negative);
  qc.z_prime_threshold = z_prime_threshold;
  const double separation = std::abs(qc.positive.mean - qc.negative.mean);
  qc.signal_to_background = qc.negative.mean != 0 ? qc.positive.mean / qc.negative.mean : kNaN;
  if (qc.positive.n < kMinControlsPerGroup || qc.negative.n < kMinControlsPerGroup) {
    qc.flags.emplace_back("too_few_controls");
    qc.z_prime = kNaN;
    qc.pass = false;
    return qc;
  }
  if (!(separation > 0)) {
    qc.flags.emplace_back("no_separation");
    qc.z_prime = -std::numeric_limits<double>::infinity();
    qc.pass = false;
    return qc;
  }
  qc.z_prime = 1.0 - 3.0 * (qc.positive.sd + qc.negative.sd) / separation;
  qc.pass = qc.z_prime >= z_prime_threshold;
  return qc;
}

nlohmann::json to_json(const PlateQc& qc) {
  return {{"positive", to_json(qc.positive)},
          {"negative", to_json(qc.negative)},
          {"z_prime", number(qc.z_prime)},
          {"signal_to_background", number(qc.signal_to_background)},
          {"z_prime_threshold", qc.z_prime_threshold},
          {"pass", qc.pass},
          {"flags", qc.flags}};
}

}  // namespace assay::protocols::fit
