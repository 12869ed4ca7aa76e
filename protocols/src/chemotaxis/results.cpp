#include "assay/protocols/chemotaxis/results.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "assay/protocols/figures/dose_response_svg.hpp"
#include "assay/protocols/figures/svg.hpp"
#include "ic50_summary.hpp"

namespace assay::protocols::chemotaxis {
namespace {

using nlohmann::json;

json well_row(const WellAssignment& well) {
  json row{{"role", well.role}, {"chemokine", well.stimulated}};
  if (!well.compound.empty()) {
    row["compound"] = well.compound;
    row["conc_nM"] = well.conc_nM;
  }
  if (!well.sample.empty()) row["sample"] = well.sample;
  return row;
}

json series_summary(const SeriesResult& s) {
  json out{{"flags", s.flags}};
  if (s.fit && s.fit->usable()) {
    out["ic50_nM"] = s.fit->ic50;
    out["ic50_ci_nM"] = {s.fit->ic50_ci_low, s.fit->ic50_ci_high};
    out["hill_slope"] = s.fit->hill_slope.value;
    out["bottom_percent"] = s.fit->bottom.value;
  } else {
    out["ic50_nM"] = nullptr;
  }
  out["ic50"] = ic50_summary(s.fit ? &*s.fit : nullptr, s.flags);  // the same object as every assay's
  return out;
}

}  // namespace

AssayResult chemotaxis_result(const PlateLayout& layout, const ChemotaxisParams& params,
                              const ChemotaxisAnalysis& analysis, const AbsorbanceInserts* absorbance,
                              std::span<const FieldCount> fields) {
  AssayResult result;
  std::map<std::string, double> value_by_well;
  std::map<std::string, std::vector<std::string>> flags_by_well;
  for (const auto& c : analysis.conditions) {
    for (std::size_t i = 0; i < c.condition.wells.size(); ++i) value_by_well[c.condition.wells[i]] = c.values[i];
  }
  if (absorbance) {
    for (const auto& insert : absorbance->inserts) flags_by_well[insert.well] = insert.flags;
  }
  std::map<std::string, std::vector<const FieldCount*>> fields_by_well;
  for (const auto& field : fields) {
    fields_by_well[field.well].push_back(&field);
    for (const auto& flag : field.flags) {
      auto& list = flags_by_well[field.well];
      if (std::find(list.begin(), list.end(), flag) == list.end()) list.push_back(flag);
    }
  }

  for (const auto& well : layout.wells()) {
    json row = well_row(well);
    bool has_row = false;
    if (absorbance) {
      for (const auto& w : absorbance->wells) {
        if (w.well != well.well) continue;
        row.update(to_json(w));
        has_row = true;
      }
    }
    if (auto it = fields_by_well.find(well.well); it != fields_by_well.end()) {
      json counts = json::array();
      for (const auto* f : it->second) counts.push_back(f->count);
      row["field_counts"] = counts;
      row["combine"] = to_string(params.imaging.combine);
      has_row = true;
    }
    if (auto it = value_by_well.find(well.well); it != value_by_well.end()) {
      row["value"] = it->second;
      row["unit"] = analysis.unit;
    }
    row["flags"] = flags_by_well.count(well.well) ? json(flags_by_well[well.well]) : json::array();
    if (has_row) result.rows.push_back({"well", well.well, std::move(row)});
  }
  for (const auto& field : fields) {
    result.rows.push_back({"field", field_key(field.well, field.field), to_json(field)});
  }
  for (const auto& c : analysis.conditions) {
    json row = to_json(c);
    row["unit"] = analysis.unit;
    result.rows.push_back({"condition", c.condition.key, std::move(row)});
  }
  json ic50 = json::object();
  for (const auto& s : analysis.series) {
    result.rows.push_back({"series", s.compound, to_json(s)});
    ic50[s.compound] = series_summary(s);
  }
  json qc = to_json(analysis.qc);
  if (absorbance) {
    qc["blank"] = {{"n", absorbance->blank.n}, {"mean_od", absorbance->blank.mean},
                   {"sd_od", absorbance->blank.sd}, {"subtracted", absorbance->blank_subtracted}};
    qc["readout_flags"] = absorbance->flags;
  }
  result.rows.push_back({"qc", "plate", qc});

  std::vector<std::string> flags = analysis.flags;
  if (absorbance) flags.insert(flags.end(), absorbance->flags.begin(), absorbance->flags.end());
  for (const auto& field : fields) {
    for (const auto& flag : field.flags) {
      if (flag == kFlagPixelSizeMismatch &&
          std::find(flags.begin(), flags.end(), flag) == flags.end()) {
        flags.push_back(flag);
      }
    }
  }
  result.summary = {{"readout", to_string(params.readout)},
                    {"unit", analysis.unit},
                    {"chemotactic_index", qc["chemotactic_index"]},
                    {"chemotactic_index_ok", !analysis.qc.chemotactic_index ||
                                                 *analysis.qc.chemotactic_index >=
                                                     analysis.qc.chemotactic_index_min},
                    {"z_prime", analysis.qc.plate.z_prime},
                    {"qc_pass", qc["pass"]},
                    {"ic50", ic50},
                    {"flags", flags},
                    {"params", to_json(params)}};
  return result;
}

void write_migration_figure(const ChemotaxisAnalysis& analysis, const std::filesystem::path& svg_path) {
  std::vector<figures::DoseResponseSeries> series;
  for (const auto& s : analysis.series) {
    figures::DoseResponseSeries plot;
    plot.name = s.compound;
    plot.points = s.points;
    if (s.fit && s.fit->usable()) plot.fit = s.fit;
    series.push_back(std::move(plot));
  }
  figures::DoseResponsePlotOptions options;
  options.title = "Transwell migration";
  if (analysis.qc.chemotactic_index) {
    char text[64];
    std::snprintf(text, sizeof text, " (chemotactic index %.2f)", *analysis.qc.chemotactic_index);
    options.title += text;
  }
  options.y_label = "Migration (% of chemokine + vehicle)";
  // The floor an antagonist can reach: random migration without chemokine.
  for (const auto& c : analysis.conditions) {
    if (c.condition.role != kRoleNegativeControl || !c.condition.compound.empty() || !c.migration_percent) continue;
    options.reference_lines.push_back({*c.migration_percent, "no chemokine " +
                                                                 figures::format_number(*c.migration_percent, 3) + " %"});
    break;
  }
  options.reference_lines.push_back({100.0, "chemokine + vehicle 100 %"});
  figures::write_dose_response_svg(svg_path, series, options);
}

}  // namespace assay::protocols::chemotaxis
