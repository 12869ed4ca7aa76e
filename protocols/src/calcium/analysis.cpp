// Calcium-flux plate analysis: per-well metrics, normalisation to controls, fits and QC.
#include "assay/protocols/calcium/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols::calcium {
namespace {

bool is_excluded(const WellResponse& w, const AnalysisParams& a) {
  if (!std::isfinite(w.response)) return true;
  return std::any_of(a.exclude_flags.begin(), a.exclude_flags.end(),
                     [&](const std::string& flag) { return w.has_flag(flag); });
}

std::vector<double> responses_of(const std::vector<WellResponse>& wells, const char* role) {
  std::vector<double> out;
  for (const auto& w : wells) {
    if (w.role == role && !w.excluded) out.push_back(w.response);
  }
  return out;
}

double mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return values.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / values.size();
}

std::string excluded_list(const std::vector<WellResponse>& wells, const char* role) {
  std::string out;
  for (const auto& w : wells) {
    if (w.role != role) continue;
    std::string flags;
    for (const auto& f : w.flags) flags += (flags.empty() ? "" : ",") + f;
    out += (out.empty() ? "" : "; ") + w.well + (flags.empty() ? "" : " (" + flags + ")");
  }
  return out.empty() ? "none in the layout" : out;
}

}  // namespace

CalciumFluxAnalysis analyze_calcium_flux(std::span<const drivers::Reading> readings,
                                         const PlateLayout& layout,
                                         const CalciumFluxParams& params) {
  const auto& a = params.analysis;
  if (params.addition.mode == AdditionMode::manual && !params.addition.time_s) {
    throw ProtocolError("invalid_params",
                        "params.addition.time_s: a manual addition is analysed from its recorded "
                        "time; copy time_s and baseline_end_s from the job's result "
                        "(summary.addition)");
  }
  CalciumFluxAnalysis out;
  auto traces = group_traces(readings, params.channel());
  out.channel = traces.channel;
  out.cycles = static_cast<int>(traces.cycles.size());
  out.warnings = traces.warnings;

  out.wells.reserve(layout.wells().size());
  for (const auto& assignment : layout.wells()) {
    auto it = traces.wells.find(assignment.well);
    const KineticTrace* trace = it == traces.wells.end() ? nullptr : &it->second;
    if (trace) out.readings_used += trace->points.size();
    auto w = measure_well(trace, assignment, params, traces.cycles);
    w.excluded = is_excluded(w, a);
    out.wells.push_back(std::move(w));
  }
  for (const auto& [well, trace] : traces.wells) {
    if (!layout.find(well)) {
      out.warnings.push_back("readings of well " + well + " were ignored: the layout does not name it");
    }
  }

  // Plate QC and normalisation from the control groups.
  auto positive = responses_of(out.wells, kRolePositiveControl);
  auto negative = responses_of(out.wells, kRoleNegativeControl);
  out.positive_mean = mean(positive);
  out.negative_mean = mean(negative);
  if (!positive.empty() && !negative.empty()) {
    out.qc = fit::plate_qc(positive, negative, a.z_prime_threshold);
    out.has_qc = true;
  }
  const bool normalise = a.normalisation == Normalisation::controls;
  if (normalise) {
    if (positive.empty()) {
      throw ProtocolError("analysis_error",
                          "no usable positive_control well to define 100 % response: " +
                              excluded_list(out.wells, kRolePositiveControl) +
                              "; add positive controls, or change analysis.exclude_flags");
    }
    if (negative.empty()) {
      throw ProtocolError("analysis_error",
                          "no usable negative_control well to define 0 % response: " +
                              excluded_list(out.wells, kRoleNegativeControl) +
                              "; add negative controls, or change analysis.exclude_flags");
    }
    double span = out.positive_mean - out.negative_mean;
    if (!(std::abs(span) > 0)) {
      throw ProtocolError("analysis_error",
                          "positive and negative controls have the same mean response; the "
                          "agonist did not respond and % response is undefined");
    }
    for (auto& w : out.wells) {
      if (!std::isfinite(w.response)) continue;
      w.percent_response = 100.0 * (w.response - out.negative_mean) / span;
      w.percent_inhibition = 100.0 - w.percent_response;
    }
  }

  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < out.wells.size(); ++i) index.emplace(out.wells[i].well, i);
  fit::FitOptions options;
  options.fixed_top = a.fixed_top;
  options.fixed_bottom = a.fixed_bottom;
  for (const auto& [compound, wells] : layout.by_compound()) {
    if (compound.empty()) continue;  // vehicle-only samples have no concentration series
    CompoundSeries series;
    series.compound = compound;
    for (const auto* assignment : wells) {
      const auto& w = out.wells[index.at(assignment->well)];
      if (w.excluded) continue;
      double y = normalise ? w.percent_response : w.response;
      if (!std::isfinite(y)) continue;
      series.wells.push_back(w.well);
      series.points.push_back({w.conc_nM, y, 1.0});
    }
    series.fit = fit::fit_dose_response(series.points, options);
    out.series.push_back(std::move(series));
  }
  return out;
}

}  // namespace assay::protocols::calcium
