#include "assay/drivers/sim/pharmacology.hpp"

#include <cmath>

namespace assay::drivers::sim {
namespace {

void read_truth(const nlohmann::json& from, const char* ic50_key, const char* hill_key,
                CompoundTruth& truth) {
  if (!from.is_object()) return;
  if (from.contains(ic50_key) && from.at(ic50_key).is_number()) {
    truth.ic50_nM = from.at(ic50_key).get<double>();
  }
  if (from.contains(hill_key) && from.at(hill_key).is_number()) {
    truth.hill_slope = from.at(hill_key).get<double>();
  }
}

}  // namespace

double remaining_response(double conc_nM, const CompoundTruth& truth) {
  if (conc_nM <= 0.0) return 1.0;
  return 1.0 / (1.0 + std::pow(conc_nM / truth.ic50_nM, std::abs(truth.hill_slope)));
}

const CompoundTruth& PharmacologyTruth::calcium_for(const std::string& compound) const {
  auto it = calcium_by_compound.find(compound);
  return it == calcium_by_compound.end() ? calcium : it->second;
}

const CompoundTruth& PharmacologyTruth::migration_for(const std::string& compound) const {
  auto it = migration_by_compound.find(compound);
  return it == migration_by_compound.end() ? migration : it->second;
}

nlohmann::json PharmacologyTruth::to_json() const {
  nlohmann::json out{
      {"calcium", {{"ic50_nM", calcium.ic50_nM}, {"hill_slope", calcium.hill_slope}}},
      {"migration", {{"ic50_nM", migration.ic50_nM}, {"hill_slope", migration.hill_slope}}}};
  for (const auto& [name, truth] : calcium_by_compound) {
    out["compounds"][name]["calcium"] = {{"ic50_nM", truth.ic50_nM}, {"hill_slope", truth.hill_slope}};
  }
  for (const auto& [name, truth] : migration_by_compound) {
    out["compounds"][name]["migration"] = {{"ic50_nM", truth.ic50_nM},
                                           {"hill_slope", truth.hill_slope}};
  }
  return out;
}

PharmacologyTruth pharmacology_truth(const nlohmann::json& settings,
                                     const nlohmann::json& simulation) {
  PharmacologyTruth truth;
  for (const auto* source : {&settings, &simulation}) {
    read_truth(*source, "true_ic50_nM", "true_hill_slope", truth.calcium);
    read_truth(*source, "migration_ic50_nM", "migration_hill_slope", truth.migration);
  }
  if (simulation.is_object() && simulation.contains("compounds") &&
      simulation.at("compounds").is_object()) {
    for (const auto& [name, overrides] : simulation.at("compounds").items()) {
      CompoundTruth calcium = truth.calcium;
      CompoundTruth migration = truth.migration;
      read_truth(overrides, "true_ic50_nM", "true_hill_slope", calcium);
      read_truth(overrides, "migration_ic50_nM", "migration_hill_slope", migration);
      truth.calcium_by_compound[name] = calcium;
      truth.migration_by_compound[name] = migration;
    }
  }
  return truth;
}

}  // namespace assay::drivers::sim
