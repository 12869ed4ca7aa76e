#include "assay/protocols/calcium/results.hpp"

#include <cmath>

#include "ic50_summary.hpp"

namespace assay::protocols::calcium {
namespace {

using nlohmann::json;

// JSON has no NaN: missing values are null.
json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json well_row(const WellResponse& w, const std::string& channel, const CalciumFluxParams& params) {
  json row{{"role", w.role},
           {"stimulated", w.stimulated},
           {"frames", w.frames},
           {"baseline_frames", w.baseline_frames},
           {"f0", number_or_null(w.f0)},
           {"f_max", number_or_null(w.f_max)},
           {"f_min", number_or_null(w.f_min)},
           {"peak_time_s", number_or_null(w.peak_time_s)},
           {"metric", to_string(params.analysis.metric)},
           {"response", number_or_null(w.response)},
           {"percent_response", number_or_null(w.percent_response)},
           {"percent_inhibition", number_or_null(w.percent_inhibition)},
           {"flags", w.flags},
           {"excluded", w.excluded},
           {"readings", {{"channel", channel}, {"first_cycle", w.first_cycle}, {"last_cycle", w.last_cycle}}}};
  if (!w.compound.empty()) row["compound"] = w.compound;
  row["conc_nM"] = w.conc_nM;
  if (!w.dropped_cycles.empty()) row["dropped_cycles"] = w.dropped_cycles;
  return row;
}

json series_summary(const CompoundSeries& s) {
  const auto& f = s.fit;
  json out{{"usable", f.usable()},
           {"n", f.n},
           {"hill_slope", number_or_null(f.hill_slope.value)},
           {"r2", number_or_null(f.r2)},
           {"flags", f.flags}};
  out["ic50_nM"] = f.usable() ? number_or_null(f.ic50) : json(nullptr);
  out["ic50_ci95_nM"] = f.usable() ? json::array({number_or_null(f.ic50_ci_low),
                                                  number_or_null(f.ic50_ci_high)})
                                   : json(nullptr);
  out["ic50"] = ic50_summary(&f);  // the same object as every assay's summary
  return out;
}

}  // namespace

AssayResult to_assay_result(const CalciumFluxAnalysis& analysis, const CalciumFluxParams& params) {
  AssayResult result;
  int flagged = 0, excluded = 0;
  for (const auto& w : analysis.wells) {
    flagged += w.flags.empty() ? 0 : 1;
    excluded += w.excluded ? 1 : 0;
    result.rows.push_back({"well", w.well, well_row(w, analysis.channel, params)});
  }
  json series_summaries = json::object();
  for (const auto& s : analysis.series) {
    json value = fit::to_json(s.fit);
    value["compound"] = s.compound;
    value["ic50_unit"] = "nM";
    value["response"] = params.analysis.normalisation == Normalisation::controls
                            ? "percent_response"
                            : to_string(params.analysis.metric);
    json points = json::array();
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      points.push_back({{"well", s.wells[i]}, {"conc_nM", s.points[i].conc},
                        {"response", s.points[i].response}});
    }
    value["points"] = std::move(points);
    result.rows.push_back({"series", s.compound, std::move(value)});
    series_summaries[s.compound] = series_summary(s);
  }
  json qc = nullptr;
  if (analysis.has_qc) {
    qc = fit::to_json(analysis.qc);
    qc["metric"] = to_string(params.analysis.metric);
    result.rows.push_back({"qc", "plate", qc});
  }
  result.summary = {{"protocol", "calcium_flux"},
                    {"channel", analysis.channel},
                    {"metric", to_string(params.analysis.metric)},
                    {"normalisation", to_string(params.analysis.normalisation)},
                    {"wells", analysis.wells.size()},
                    {"cycles", analysis.cycles},
                    {"readings_used", analysis.readings_used},
                    {"flagged_wells", flagged},
                    {"excluded_wells", excluded},
                    {"positive_control_mean", number_or_null(analysis.positive_mean)},
                    {"negative_control_mean", number_or_null(analysis.negative_mean)},
                    {"series", series_summaries},
                    {"warnings", analysis.warnings}};
  // Where the response was taken from: the same online and offline (the daemon adds what it
  // recorded of a manual addition).
  const bool manual = params.addition.mode == AdditionMode::manual;
  json addition{{"mode", manual ? "manual" : "injector"}, {"time_s", params.response_start_s()}};
  if (manual && params.addition.baseline_end_s) addition["baseline_end_s"] = *params.addition.baseline_end_s;
  result.summary["addition"] = std::move(addition);
  if (analysis.has_qc) {
    result.summary["qc"] = {{"z_prime", number_or_null(analysis.qc.z_prime)},
                            {"pass", analysis.qc.pass},
                            {"threshold", analysis.qc.z_prime_threshold}};
  } else {
    result.summary["qc"] = nullptr;
  }
  return result;
}

}  // namespace assay::protocols::calcium
