#include "assay/protocols/chemotaxis/analysis.hpp"

#include <algorithm>
#include <map>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {
namespace {

using nlohmann::json;

void add_flag(std::vector<std::string>& flags, const std::string& flag) {
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(flag);
}

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json();
}

// Values of every non-blank insert, looked up by well; a missing one is an error.
std::map<std::string, const InsertValue*> index_inserts(const PlateLayout& layout,
                                                        std::span<const InsertValue> inserts) {
  std::map<std::string, const InsertValue*> by_well;
  for (const auto& insert : inserts) {
    if (!layout.find(insert.well)) {
      throw ProtocolError("analysis_error", "insert " + insert.well + " has a value but is not in the layout");
    }
    if (!by_well.emplace(insert.well, &insert).second) {
      throw ProtocolError("analysis_error", "insert " + insert.well + " has two values; give one per insert");
    }
  }
  for (const auto& well : layout.wells()) {
    if (well.role != kRoleBlank && !by_well.count(well.well)) {
      throw ProtocolError("analysis_error", "no value for insert " + well.well + " (" + well.role +
                                                (well.compound.empty() ? "" : ", " + well.compound) +
                                                "); every insert of the layout needs one");
    }
  }
  return by_well;
}

std::vector<double> values_of_role(const std::vector<ConditionResult>& conditions, const std::string& role) {
  std::vector<double> out;
  for (const auto& c : conditions) {
    if (c.condition.role == role) out.insert(out.end(), c.values.begin(), c.values.end());
  }
  return out;
}

ChemotaxisQc plate_qc_of(const std::vector<double>& chemokine, const std::vector<double>& no_chemokine,
                         const AnalysisOptions& options) {
  ChemotaxisQc qc;
  qc.plate = fit::plate_qc(chemokine, no_chemokine, options.z_prime_threshold);
  qc.chemotactic_index_min = options.chemotactic_index_min;
  for (const auto& flag : qc.plate.flags) add_flag(qc.flags, flag);
  if (!qc.plate.pass) add_flag(qc.flags, kFlagZPrimeLow);
  double pos = qc.plate.positive.mean;
  double neg = qc.plate.negative.mean;
  if (pos <= 0.0) add_flag(qc.flags, kFlagNoMigration);
  if (neg > 0.0) {
    qc.chemotactic_index = pos / neg;
    if (*qc.chemotactic_index < options.chemotactic_index_min) add_flag(qc.flags, kFlagChemotacticIndexLow);
  } else {
    // No measurable random migration (at or below the blank): the ratio has no finite value.
    add_flag(qc.flags, kFlagChemotacticIndexUndefined);
  }
  return qc;
}

SeriesResult fit_series(const std::string& compound, const std::vector<ConditionResult>& conditions,
                        double chemokine_mean, double no_chemokine_mean, const AnalysisOptions& options) {
  SeriesResult series;
  series.compound = compound;
  for (const auto& c : conditions) {
    bool in_series = (c.condition.role == kRoleSample && c.condition.compound == compound &&
                      c.condition.stimulated) ||
                     (options.include_vehicle_in_fit && c.condition.role == kRolePositiveControl);
    if (!in_series) continue;
    double conc = c.condition.role == kRolePositiveControl ? 0.0 : c.condition.conc_nM;
    for (double v : c.values) series.points.push_back({conc, 100.0 * v / chemokine_mean, 1.0});
    for (const auto& flag : c.flags) {
      if (flag != kFlagHighCv) add_flag(series.flags, flag);
    }
  }
  fit::FitOptions fit_options;
  if (options.constrain_bottom_to_negative) {
    fit_options.fixed_bottom = 100.0 * no_chemokine_mean / chemokine_mean;
  }
  series.fit = fit::fit_dose_response(series.points, fit_options);
  for (const auto& flag : series.fit->flags) add_flag(series.flags, flag);
  return series;
}

bool qc_pass(const ChemotaxisQc& qc) {
  auto has = [&](const char* flag) {
    return std::find(qc.flags.begin(), qc.flags.end(), flag) != qc.flags.end();
  };
  return qc.plate.pass && !has(kFlagChemotacticIndexLow) && !has(kFlagNoMigration);
}

}  // namespace

ChemotaxisAnalysis analyze_chemotaxis(const PlateLayout& layout, std::span<const InsertValue> inserts,
                                      const AnalysisOptions& options, const std::string& unit) {
  auto by_well = index_inserts(layout, inserts);
  ChemotaxisAnalysis out;
  out.unit = unit;
  for (auto& condition : group_conditions(layout)) {
    if (condition.role == kRoleBlank) continue;
    ConditionResult result;
    for (const auto& well : condition.wells) {
      const auto* insert = by_well.at(well);
      result.values.push_back(insert->value);
      for (const auto& flag : insert->flags) add_flag(result.flags, flag);
    }
    result.stats = fit::group_stats(result.values);
    if (result.stats.n >= 2 && result.stats.cv_percent > options.cv_flag_percent) {
      add_flag(result.flags, kFlagHighCv);
    }
    result.condition = std::move(condition);
    out.conditions.push_back(std::move(result));
  }

  auto chemokine = values_of_role(out.conditions, kRolePositiveControl);
  auto no_chemokine = values_of_role(out.conditions, kRoleNegativeControl);
  out.qc = plate_qc_of(chemokine, no_chemokine, options);
  out.flags = out.qc.flags;
  double pos = out.qc.plate.positive.mean;
  double neg = out.qc.plate.negative.mean;
  bool can_normalise = pos > 0.0;

  for (auto& c : out.conditions) {
    if (!can_normalise) continue;
    c.migration_percent = 100.0 * c.stats.mean / pos;
    c.migration_sd_percent = 100.0 * c.stats.sd / pos;
    if (pos > neg) c.inhibition_percent = 100.0 * (pos - c.stats.mean) / (pos - neg);
  }

  std::vector<std::string> compounds;
  for (const auto& c : out.conditions) {
    if (c.condition.role == kRoleSample && c.condition.stimulated &&
        std::find(compounds.begin(), compounds.end(), c.condition.compound) == compounds.end()) {
      compounds.push_back(c.condition.compound);
    }
  }
  for (const auto& compound : compounds) {
    if (can_normalise) {
      out.series.push_back(fit_series(compound, out.conditions, pos, neg, options));
    } else {
      SeriesResult series;
      series.compound = compound;
      series.flags = {kFlagNotFitted, kFlagNoMigration};
      out.series.push_back(std::move(series));
    }
    for (const auto& flag : out.series.back().flags) {
      add_flag(out.flags, out.series.back().compound + ": " + flag);
    }
  }
  return out;
}

json to_json(const ConditionResult& c) {
  return {{"condition", c.condition.key},
          {"role", c.condition.role},
          {"compound", c.condition.compound},
          {"conc_nM", c.condition.conc_nM},
          {"chemokine", c.condition.stimulated},
          {"wells", c.condition.wells},
          {"values", c.values},
          {"n", c.stats.n},
          {"mean", c.stats.mean},
          {"sd", c.stats.sd},
          {"cv_percent", c.stats.cv_percent},
          {"migration_percent", optional_number(c.migration_percent)},
          {"migration_sd_percent", optional_number(c.migration_sd_percent)},
          {"inhibition_percent", optional_number(c.inhibition_percent)},
          {"flags", c.flags}};
}

json to_json(const SeriesResult& s) {
  json points = json::array();
  for (const auto& p : s.points) points.push_back({{"conc_nM", p.conc}, {"migration_percent", p.response}});
  json out{{"compound", s.compound}, {"points", points}, {"flags", s.flags}};
  if (s.fit) {
    out["fit"] = fit::to_json(*s.fit);
    out["ic50_nM"] = s.fit->usable() ? json(s.fit->ic50) : json();
    out["ic50_ci_nM"] = s.fit->usable() ? json::array({s.fit->ic50_ci_low, s.fit->ic50_ci_high}) : json();
  }
  return out;
}

json to_json(const ChemotaxisQc& qc) {
  return {{"chemotactic_index", optional_number(qc.chemotactic_index)},
          {"chemotactic_index_min", qc.chemotactic_index_min},
          {"z_prime", qc.plate.z_prime},
          {"plate_qc", fit::to_json(qc.plate)},
          {"pass", qc_pass(qc)},
          {"flags", qc.flags}};
}

}  // namespace assay::protocols::chemotaxis
