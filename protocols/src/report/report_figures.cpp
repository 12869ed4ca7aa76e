// The figures of a job report: plate heatmaps, dose-response curves per compound, kinetic traces.
#include <algorithm>
#include <cmath>

#include "assay/protocols/figures/dose_response_svg.hpp"
#include "assay/protocols/figures/kinetic_traces_svg.hpp"
#include "assay/protocols/figures/plate_heatmap_svg.hpp"
#include "assay/protocols/figures/svg.hpp"
#include "assay/protocols/fit/dose_response.hpp"
#include "html.hpp"
#include "report_data.hpp"

namespace assay::protocols::report {
namespace {

using nlohmann::json;

drivers::PlateGeometry geometry_of(const ReportData& data) {
  drivers::PlateGeometry g;
  g.rows = data.rows;
  g.columns = data.columns;
  return g;
}

figures::HeatmapWell heat_well(const ReportData& data, const std::string& well, std::optional<double> value,
                               const std::string& unit, bool flagged) {
  figures::HeatmapWell w;
  if (auto p = drivers::parse_well(well, geometry_of(data))) w.position = *p;
  w.value = value;
  w.label = data.well_label(well) + ": " + (value ? figures::format_number(*value, 4) + " " + unit : "no value");
  w.flagged = flagged;
  return w;
}

std::string heatmap_figure(ReportData& data, const std::vector<figures::HeatmapWell>& wells, const std::string& title,
                           const std::string& unit, const std::string& caption) {
  figures::PlateHeatmapOptions options;
  options.rows = data.rows;
  options.columns = data.columns;
  options.title = title;
  options.unit = unit;
  return figure(inline_svg(figures::plate_heatmap_svg(wells, options)), caption, "heatmap");
}

std::string unit_of_channel(const std::string& channel) {
  if (channel.rfind("abs", 0) == 0) return "OD";
  if (channel.rfind("fl", 0) == 0) return "RFU";
  if (channel.rfind("lum", 0) == 0) return "RLU";
  return "";
}

// Heatmaps of the raw readings: an endpoint channel's value per well; a kinetic channel's first
// cycle (the baseline, dye loading) and its peak.
std::string reading_heatmaps(ReportData& data) {
  std::map<std::string, std::map<std::string, std::vector<const drivers::Reading*>>> by_channel;
  for (const auto& r : data.readings) by_channel[r.channel][r.well].push_back(&r);
  std::string out;
  for (const auto& [channel, wells] : by_channel) {
    const std::string unit = unit_of_channel(channel);
    bool kinetic = false;
    for (const auto& [well, list] : wells) kinetic = kinetic || list.size() > 1;
    std::vector<figures::HeatmapWell> first, peak;
    for (const auto& [well, list] : wells) {
      const auto* earliest = *std::min_element(list.begin(), list.end(),
                                               [](auto* a, auto* b) { return a->cycle < b->cycle; });
      double top = -INFINITY;
      bool saturated = false;
      for (const auto* r : list) top = std::max(top, r->value), saturated = saturated || r->saturated;
      first.push_back(heat_well(data, well, earliest->value, unit, earliest->saturated));
      peak.push_back(heat_well(data, well, top, unit, saturated));
    }
    if (kinetic) {
      out += heatmap_figure(data, first, channel + ": first cycle (baseline)", unit,
                            "Raw " + channel + " of every well at the first cycle: uneven dye loading or cell "
                            "seeding shows here. Red outline: saturated.");
      out += heatmap_figure(data, peak, channel + ": peak over the read", unit,
                            "Raw " + channel + " at its highest cycle per well. Red outline: saturated.");
    } else {
      out += heatmap_figure(data, first, channel + " (raw)", unit,
                            "Raw " + channel + " of every well read. Red outline: saturated. Grey: not read.");
    }
  }
  return out;
}

std::string cfu_heatmap(ReportData& data) {
  std::vector<figures::HeatmapWell> wells;
  for (const auto& dish : data.summary.value("dishes", json::array())) {
    const auto well = dish.value("well", std::string());
    std::optional<double> value;
    if (dish.contains("colonies") && dish.at("colonies").is_number()) value = dish.at("colonies").get<double>();
    wells.push_back(heat_well(data, well, value, "colonies", dish.value("too_many_to_count", false)));
  }
  if (wells.empty()) return "";
  return heatmap_figure(data, wells, "Colonies per dish", "colonies",
                        "Colonies counted in each dish. Red outline: too many to count.");
}

std::string insert_heatmap(ReportData& data) {
  std::vector<figures::HeatmapWell> wells;
  std::string unit;
  for (const auto& r : data.rows_of("well")) {
    const auto& v = *r.value;
    if (!v.contains("value") || !v.at("value").is_number()) continue;
    unit = v.value("unit", std::string());
    wells.push_back(heat_well(data, r.key, v.at("value").get<double>(), unit,
                              v.contains("flags") && !v.at("flags").empty()));
  }
  if (wells.empty()) return "";
  const bool cells = unit.find("cells") != std::string::npos;
  return heatmap_figure(data, wells, "Migration per insert", cells ? "cells" : unit.substr(0, unit.find(' ')),
                        std::string(cells ? "Cells counted on each insert's membrane" : "Each insert's stain") + " (" +
                            unit + "). Red outline: a flagged insert.");
}

// The IC50 object of a compound in the summary of either IC50 assay.
const json* ic50_object(const ReportData& data, const std::string& compound) {
  for (const char* key : {"series", "ic50"}) {
    if (!data.summary.contains(key)) continue;
    const auto& group = data.summary.at(key);
    if (group.is_object() && group.contains(compound) && group.at(compound).contains("ic50")) {
      return &group.at(compound).at("ic50");
    }
  }
  return nullptr;
}

std::string ic50_caption(ReportData& data, const std::string& compound, const fit::DoseResponseFit& fit) {
  std::string text = compound + ": ";
  const json* ic50 = ic50_object(data, compound);
  if (ic50 && ic50->value("value", json()).is_number()) {
    text += "IC50 " + number_text(ic50->at("value")) + " nM";
    const auto low = ic50->value("ci_low", json()), high = ic50->value("ci_high", json());
    text += " (95% CI " + (low.is_number() ? number_text(low) : std::string("unbounded")) + " to " +
            (high.is_number() ? number_text(high) : std::string("unbounded")) + " nM, " +
            ic50->value("ci_method", std::string("?")) + ")";
  } else {
    text += "no IC50";
  }
  text += "; Hill slope " + number_text(fit.hill_slope.value) + ", R² " + number_text(fit.r2) + ", n " +
          std::to_string(fit.n);
  std::string flags = data.note_flags(ic50 ? ic50->value("flags", json::array()) : json(fit.flags));
  if (!flags.empty()) text += "; flags: " + flags;
  return text + ". Points: wells; line: the fitted 4PL curve; shaded: its 95 % confidence band; dashed "
                "vertical line: the IC50.";
}

}  // namespace

std::string plate_section(ReportData& data) {
  std::string body;
  if (data.protocol() == "cfu") body += cfu_heatmap(data);
  if (data.protocol() == "chemotaxis") body += insert_heatmap(data);
  body += reading_heatmaps(data);
  return body.empty() ? "" : section("plate", "Plate", body);
}

std::string dose_response_section(ReportData& data) {
  const auto& series_rows = data.rows_of("series");
  if (series_rows.empty()) return "";
  const bool chemotaxis = data.protocol() == "chemotaxis";
  figures::DoseResponsePlotOptions base;
  base.width_px = 620;
  base.height_px = 420;
  if (chemotaxis) {
    base.y_label = "Migration (% of chemokine + vehicle)";
    for (const auto& r : data.rows_of("condition")) {
      const auto& c = *r.value;
      if (c.value("role", "") != "negative_control" || !c.value("compound", std::string()).empty()) continue;
      if (!c.contains("migration_percent") || !c.at("migration_percent").is_number()) continue;
      const double level = c.at("migration_percent").get<double>();
      base.reference_lines.push_back({level, "no chemokine " + figures::format_number(level, 3) + " %"});
      break;
    }
    base.reference_lines.push_back({100.0, "chemokine + vehicle 100 %"});
  } else {
    const auto normalisation = data.summary.value("normalisation", std::string());
    base.y_label = normalisation == "controls" ? "Response (% of agonist control)"
                                               : "Response (" + data.summary.value("metric", std::string("raw")) + ")";
  }
  std::string body;
  for (const auto& r : series_rows) {
    const auto& v = *r.value;
    figures::DoseResponseSeries s;
    s.name = r.key;
    for (const auto& p : v.value("points", json::array())) {
      const char* y = chemotaxis ? "migration_percent" : "response";
      if (!p.contains("conc_nM") || !p.contains(y) || !p.at(y).is_number()) continue;
      s.points.push_back({p.at("conc_nM").get<double>(), p.at(y).get<double>()});
    }
    const json& fit_json = chemotaxis ? v.value("fit", json()) : v;
    fit::DoseResponseFit fit = fit_json.is_object() ? fit::fit_from_json(fit_json) : fit::DoseResponseFit{};
    if (fit_json.is_object() && fit.converged) s.fit = fit;
    auto options = base;
    options.title = r.key;
    options.id_prefix = data.next_id_prefix();
    body += figure(inline_svg(figures::dose_response_svg({s}, options)), ic50_caption(data, r.key, fit), "curve");
  }
  if (chemotaxis && !base.reference_lines.empty()) {
    body += paragraph("Dashed horizontal lines: migration toward the chemokine with vehicle (100 %) and random "
                      "migration without chemokine, the floor an antagonist can reach.",
                      "note");
  }
  return section("dose-response", "Dose response", body);
}

std::string kinetics_section(ReportData& data) {
  if (data.protocol() != "calcium_flux" || !data.spec) return "";
  const std::string channel = data.summary.value("channel", std::string());
  std::map<std::string, std::vector<const drivers::Reading*>> by_well;
  for (const auto& r : data.readings) {
    if (r.channel == channel || channel.empty()) by_well[r.well].push_back(&r);
  }
  if (by_well.empty()) return "";
  // Samples shaded by their place in their compound's concentration range (as the run's figure).
  std::map<std::string, std::pair<double, double>> log_range;
  for (const auto& w : data.spec->layout.wells()) {
    if (w.conc_nM <= 0 || w.compound.empty()) continue;
    const double x = std::log10(w.conc_nM);
    auto [it, inserted] = log_range.emplace(w.compound, std::pair{x, x});
    it->second = {std::min(it->second.first, x), std::max(it->second.second, x)};
  }
  std::vector<figures::WellTrace> traces;
  for (const auto& w : data.spec->layout.wells()) {
    auto it = by_well.find(w.well);
    if (it == by_well.end()) continue;
    auto points = it->second;
    std::sort(points.begin(), points.end(), [](auto* a, auto* b) { return a->cycle < b->cycle; });
    const json* row = data.row("well", w.well);
    double f0 = row && row->contains("f0") && row->at("f0").is_number() ? row->at("f0").get<double>() : NAN;
    figures::WellTrace trace;
    trace.well = w.well;
    trace.position = w.position;
    trace.role = w.role;
    for (const auto* p : points) {
      trace.time_s.push_back(p->time_s);
      trace.value.push_back(f0 > 0 ? p->value / f0 : NAN);
    }
    trace.flagged = row && row->contains("flags") && !row->at("flags").empty();
    trace.label = data.well_label(w.well);
    if (row && row->contains("percent_response") && row->at("percent_response").is_number()) {
      trace.label += ": " + figures::format_number(row->at("percent_response").get<double>(), 3) + " % response";
    }
    if (row) {
      std::string flags = data.note_flags(row->value("flags", json::array()));
      if (!flags.empty()) trace.label += " [" + flags + "]";
    }
    trace.shade = 0.0;
    if (auto range = log_range.find(w.compound); range != log_range.end() && w.conc_nM > 0) {
      const double span = range->second.second - range->second.first;
      trace.shade = span > 0 ? (std::log10(w.conc_nM) - range->second.first) / span : 0.5;
    }
    traces.push_back(std::move(trace));
  }
  figures::KineticTracesOptions options;
  options.rows = data.rows;
  options.columns = data.columns;
  options.title = "Calcium traces (" + channel + ") as F/F0";
  const auto& params = data.spec->params;
  if (params.contains("injection") && params.at("injection").contains("time_s") &&
      params.at("injection").at("time_s").is_number()) {
    options.injection_time_s = params.at("injection").at("time_s").get<double>();
  }
  return section("kinetics", "Kinetic traces",
                 figure(inline_svg(figures::kinetic_traces_svg(traces, options)),
                        "Each well's trace at its place on the plate, divided by its baseline F0, on a shared "
                        "scale; the injection is marked. Colours by role (samples by concentration); red "
                        "outline: a flagged well. Hover a well for its label."));
}

}  // namespace assay::protocols::report
