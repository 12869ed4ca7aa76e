// The calcium-flux figures: dose-response curves of every compound and the plate's traces.
#include <algorithm>
#include <cmath>

#include "assay/protocols/calcium/results.hpp"
#include "assay/protocols/figures/dose_response_svg.hpp"
#include "assay/protocols/figures/kinetic_traces_svg.hpp"
#include "assay/protocols/figures/svg.hpp"

namespace assay::protocols::calcium {
namespace {

std::string metric_label(ResponseMetric metric) {
  switch (metric) {
    case ResponseMetric::peak_df_f0: return "peak ΔF/F0";
    case ResponseMetric::max_min: return "max − min (RFU)";
    case ResponseMetric::auc: return "AUC of ΔF/F0 (s)";
  }
  return "response";
}

}  // namespace

std::vector<std::filesystem::path> write_calcium_figures(
    const CalciumFluxAnalysis& analysis, std::span<const drivers::Reading> readings,
    const PlateLayout& layout, const PlateFormat& plate, const CalciumFluxParams& params,
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> written;
  const bool normalised = params.analysis.normalisation == Normalisation::controls;

  if (!analysis.series.empty()) {
    std::vector<figures::DoseResponseSeries> series;
    for (const auto& s : analysis.series) series.push_back({s.compound, s.points, s.fit, ""});
    figures::DoseResponsePlotOptions options;
    options.title = "Calcium flux: " + metric_label(params.analysis.metric) +
                    (normalised ? ", normalised to the plate's controls" : "");
    options.y_label = normalised ? "Response (% of agonist control)" : metric_label(params.analysis.metric);
    options.panel_per_series = series.size() > 4;
    if (options.panel_per_series) options.width_px = 420, options.height_px = 320;
    auto path = dir / "dose_response.svg";
    figures::write_dose_response_svg(path, series, options);
    written.push_back(path);
  }

  // Traces as F/F0 so wells with different dye loading compare.
  auto traces = group_traces(readings, analysis.channel);
  std::map<std::string, const WellResponse*> responses;
  for (const auto& w : analysis.wells) responses[w.well] = &w;
  // Shade samples by their place in their compound's concentration range.
  std::map<std::string, std::pair<double, double>> log_range;
  for (const auto& w : layout.wells()) {
    if (w.conc_nM <= 0 || w.compound.empty()) continue;
    auto [it, inserted] = log_range.emplace(w.compound, std::pair{std::log10(w.conc_nM), std::log10(w.conc_nM)});
    it->second.first = std::min(it->second.first, std::log10(w.conc_nM));
    it->second.second = std::max(it->second.second, std::log10(w.conc_nM));
  }
  std::vector<figures::WellTrace> plot;
  for (const auto& w : layout.wells()) {
    auto it = traces.wells.find(w.well);
    if (it == traces.wells.end()) continue;
    const auto* response = responses.count(w.well) ? responses.at(w.well) : nullptr;
    figures::WellTrace trace;
    trace.well = w.well;
    trace.position = w.position;
    trace.role = w.role;
    double f0 = response && std::isfinite(response->f0) ? response->f0 : 0.0;
    for (const auto& p : it->second.points) {
      trace.time_s.push_back(p.time_s);
      trace.value.push_back(f0 > 0 ? p.value / f0 : std::nan(""));
    }
    trace.flagged = response && !response->flags.empty();
    if (auto range = log_range.find(w.compound); range != log_range.end() && w.conc_nM > 0) {
      double span = range->second.second - range->second.first;
      trace.shade = span > 0 ? (std::log10(w.conc_nM) - range->second.first) / span : 0.5;
    } else {
      trace.shade = 0.0;
    }
    trace.label = w.well + " " + w.role;
    if (!w.compound.empty()) trace.label += " " + w.compound + " " + figures::format_number(w.conc_nM, 3) + " nM";
    if (response && std::isfinite(response->percent_response)) {
      trace.label += ": " + figures::format_number(response->percent_response, 3) + " % response";
    }
    if (response) {
      for (const auto& f : response->flags) trace.label += " [" + f + "]";
    }
    plot.push_back(std::move(trace));
  }
  if (!plot.empty()) {
    figures::KineticTracesOptions options;
    options.rows = plate.geometry.rows;
    options.columns = plate.geometry.columns;
    options.title = "Calcium flux traces (" + analysis.channel + "), " + plate.name + "-well plate";
    options.injection_time_s = params.response_start_s();
    auto path = dir / "kinetic_traces.svg";
    figures::write_kinetic_traces_svg(path, plot, options);
    written.push_back(path);
  }
  return written;
}

}  // namespace assay::protocols::calcium
