// Transwell chemotaxis analysis: from one value per insert (blank-subtracted OD or cells per
// insert) to conditions, inhibition curves and the plate's quality control.
//
//   per condition      n, mean, SD, CV of the replicate inserts
//   migration %        100 * value / mean(chemokine + vehicle)              (vehicle = 100 %)
//   inhibition %       100 * (mean(chemokine) - value) / (mean(chemokine) - mean(no chemokine))
//   chemotactic index  mean(chemokine + vehicle) / mean(no chemokine), flagged below the minimum
//   series             4PL fit of migration % per insert against antagonist concentration (the
//                      vehicle inserts enter at conc 0) -> IC50 with CI and the fit's flags
//   qc                 Z' between chemokine + vehicle and no-chemokine inserts
//
// The daemon's protocol and `assayctl analyze chemotaxis` call the same functions, so both give
// the same numbers. Pure functions; thread-safe. Throws ProtocolError("analysis_error") naming
// the insert when a non-blank insert of the layout has no value.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/chemotaxis/conditions.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/fit/plate_qc.hpp"
#include "assay/protocols/layout.hpp"

namespace assay::protocols::chemotaxis {

// Flags raised by the analysis (fit and QC flags come from fit/*.hpp).
inline constexpr const char* kFlagChemotacticIndexLow = "chemotactic_index_low";
inline constexpr const char* kFlagChemotacticIndexUndefined = "chemotactic_index_undefined";
inline constexpr const char* kFlagNoMigration = "no_chemokine_migration";
inline constexpr const char* kFlagHighCv = "high_cv";
inline constexpr const char* kFlagZPrimeLow = "z_prime_low";
inline constexpr const char* kFlagNotFitted = "not_fitted";

// One insert's value as the analysis sees it.
struct InsertValue {
  std::string well;
  double value = 0.0;              // blank-subtracted OD, or cells per insert
  std::vector<std::string> flags;  // carried to the well and its condition ("saturated", ...)
};

struct ConditionResult {
  Condition condition;
  std::vector<double> values;  // in the order of condition.wells
  fit::GroupStats stats;
  std::optional<double> migration_percent;     // mean, relative to chemokine + vehicle
  std::optional<double> migration_sd_percent;  // SD on the same scale
  std::optional<double> inhibition_percent;    // of chemokine-directed migration
  std::vector<std::string> flags;
};

struct SeriesResult {
  std::string compound;
  std::vector<fit::DosePoint> points;  // conc_nM, migration % per insert
  std::optional<fit::DoseResponseFit> fit;
  std::vector<std::string> flags;
};

struct ChemotaxisQc {
  fit::PlateQc plate;  // positive = chemokine + vehicle, negative = no chemokine
  std::optional<double> chemotactic_index;
  double chemotactic_index_min = 2.0;
  std::vector<std::string> flags;
};

struct ChemotaxisAnalysis {
  std::string unit;  // "OD590 (blank-subtracted)", "cells per insert", ...
  std::vector<ConditionResult> conditions;
  std::vector<SeriesResult> series;
  ChemotaxisQc qc;
  std::vector<std::string> flags;  // plate-level: the QC's, plus each flag of any series
};

ChemotaxisAnalysis analyze_chemotaxis(const PlateLayout& layout, std::span<const InsertValue> inserts,
                                      const AnalysisOptions& options, const std::string& unit);

nlohmann::json to_json(const ConditionResult& condition);
nlohmann::json to_json(const SeriesResult& series);
nlohmann::json to_json(const ChemotaxisQc& qc);

}  // namespace assay::protocols::chemotaxis
