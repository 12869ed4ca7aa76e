// The pharmacology behind the simulators: how much of a stimulated response (calcium transient,
// cell migration) is left at a given antagonist concentration, and the truth a job runs under.
//
// Truth comes from the instrument's settings and can be overridden per job by the plate's
// `simulation` object, per compound under simulation.compounds.<name>. Keys (all optional):
//   true_ic50_nM, true_hill_slope            calcium flux
//   migration_ic50_nM, migration_hill_slope  transwell migration
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::drivers::sim {

struct CompoundTruth {
  double ic50_nM = 5.0;
  double hill_slope = -1.0;  // Prism convention: negative for inhibition
};

// Fraction (0..1] of the uninhibited response left at `conc_nM`: 1 / (1 + (conc/IC50)^|h|).
double remaining_response(double conc_nM, const CompoundTruth& truth);

struct PharmacologyTruth {
  CompoundTruth calcium{5.0, -1.0};
  CompoundTruth migration{12.0, -1.0};
  std::map<std::string, CompoundTruth> calcium_by_compound;
  std::map<std::string, CompoundTruth> migration_by_compound;

  const CompoundTruth& calcium_for(const std::string& compound) const;
  const CompoundTruth& migration_for(const std::string& compound) const;
  nlohmann::json to_json() const;
};

// Merges instrument settings with a job's simulation overrides.
PharmacologyTruth pharmacology_truth(const nlohmann::json& settings, const nlohmann::json& simulation);

}  // namespace assay::drivers::sim
