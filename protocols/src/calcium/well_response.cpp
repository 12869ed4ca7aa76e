// Per-well calcium-flux metrics: F0 from the baseline, the response metric, and the flags.
#include <algorithm>
#include <cmath>

#include "assay/protocols/calcium/analysis.hpp"

namespace assay::protocols::calcium {
namespace {

void add_flag(WellResponse& w, const char* flag) {
  if (!w.has_flag(flag)) w.flags.emplace_back(flag);
}

// Centred running mean over `window` frames (shrinking at the ends).
std::vector<double> smooth(const std::vector<double>& values, int window) {
  if (window <= 1) return values;
  const int half = window / 2;
  const int n = static_cast<int>(values.size());
  std::vector<double> out(values.size());
  for (int i = 0; i < n; ++i) {
    int lo = std::max(0, i - half), hi = std::min(n - 1, i + half);
    double sum = 0.0;
    for (int k = lo; k <= hi; ++k) sum += values[k];
    out[i] = sum / (hi - lo + 1);
  }
  return out;
}

}  // namespace

bool WellResponse::has_flag(const std::string& flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

WellResponse measure_well(const KineticTrace* trace, const WellAssignment& well,
                          const CalciumFluxParams& params, const std::set<int>& plate_cycles) {
  const auto& a = params.analysis;
  WellResponse w;
  w.well = well.well;
  w.role = well.role;
  w.compound = well.compound;
  w.conc_nM = well.conc_nM;
  w.stimulated = well.stimulated;
  if (trace == nullptr || trace->points.empty()) {
    add_flag(w, kFlagDroppedRead);
    add_flag(w, kFlagNoBaseline);
    w.dropped_cycles.assign(plate_cycles.begin(), plate_cycles.end());
    return w;
  }
  const auto& points = trace->points;
  w.frames = static_cast<int>(points.size());
  w.first_cycle = points.front().cycle;
  w.last_cycle = points.front().cycle;
  std::set<int> own;
  for (const auto& p : points) {
    own.insert(p.cycle);
    w.first_cycle = std::min(w.first_cycle, p.cycle);
    w.last_cycle = std::max(w.last_cycle, p.cycle);
    if (p.saturated || (a.saturation_rfu && p.value >= *a.saturation_rfu)) add_flag(w, kFlagSaturated);
  }
  for (int cycle : plate_cycles) {
    if (!own.count(cycle)) w.dropped_cycles.push_back(cycle);
  }
  if (!w.dropped_cycles.empty()) add_flag(w, kFlagDroppedRead);

  // The injection, or a manual addition at its recorded time: a late continue moves the response
  // start with it, so the peak is found after the real addition, not at a planned time.
  const double injection = params.response_start_s();
  const double baseline_start = params.baseline_start_s();
  double sum = 0.0;
  std::vector<double> values;
  std::vector<std::size_t> post;  // indices of frames after the injection
  values.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    values.push_back(p.value);
    if (p.time_s < injection) {
      if (p.time_s >= baseline_start) {
        sum += p.value;
        ++w.baseline_frames;
      }
    } else {
      post.push_back(i);
    }
  }
  if (w.baseline_frames < a.min_baseline_frames || sum <= 0.0) {
    add_flag(w, kFlagNoBaseline);
    return w;
  }
  w.f0 = sum / w.baseline_frames;
  if (post.empty()) return w;  // no response frames: dropped reads already say so

  auto smoothed = smooth(values, a.smoothing_frames);
  std::size_t peak = post.front();
  for (std::size_t i : post) {
    if (smoothed[i] > smoothed[peak]) peak = i;
  }
  w.f_max = smoothed[peak];
  w.peak_time_s = points[peak].time_s;
  w.f_min = *std::min_element(smoothed.begin(), smoothed.end());

  // A dispense artefact shows as a dip before the cells can have responded.
  const double dip_limit = w.f0 * (1.0 - a.artefact_threshold_percent / 100.0);
  for (std::size_t i : post) {
    if (points[i].time_s - injection > a.artefact_window_s) break;
    if (points[i].value < dip_limit) {
      add_flag(w, kFlagInjectionArtefact);
      break;
    }
  }

  switch (a.metric) {
    case ResponseMetric::peak_df_f0:
      w.response = (w.f_max - w.f0) / w.f0;
      break;
    case ResponseMetric::max_min:
      w.response = w.f_max - w.f_min;
      break;
    case ResponseMetric::auc: {
      const double end = a.auc_window_s ? injection + *a.auc_window_s
                                        : std::numeric_limits<double>::infinity();
      double area = 0.0;
      for (std::size_t k = 1; k < post.size(); ++k) {
        const auto& p0 = points[post[k - 1]];
        const auto& p1 = points[post[k]];
        if (p1.time_s > end) break;
        area += 0.5 * ((p0.value + p1.value) / w.f0 - 2.0) * (p1.time_s - p0.time_s);
      }
      w.response = area;
      break;
    }
  }
  return w;
}

}  // namespace assay::protocols::calcium
