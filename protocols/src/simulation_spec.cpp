#include "simulation_spec.hpp"

#include <cmath>

#include "assay/drivers/simulation_keys.hpp"
#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/key_names.hpp"

namespace assay::protocols {
namespace {

using nlohmann::json;

double number_in(const json& value, const std::string& path, double low, double high, const char* what) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < low ||
      value.get<double>() > high) {
    throw JobSpecError(path, std::string("must be ") + what);
  }
  return value.get<double>();
}

// true_ic50_nM and friends, at the top or per compound.
void check_truth(const json& object, const std::string& path) {
  for (const char* key : {"true_ic50_nM", "migration_ic50_nM"}) {
    if (object.contains(key)) number_in(object.at(key), path + "." + key, 1e-9, 1e12, "a concentration in nM above 0");
  }
  for (const char* key : {"true_hill_slope", "migration_hill_slope"}) {
    if (!object.contains(key)) continue;
    if (number_in(object.at(key), path + "." + key, -20, 20, "a Hill slope between -20 and 20") == 0.0) {
      throw JobSpecError(path + "." + key, "must not be 0");
    }
  }
}

void check_well_list(const json& value, const std::string& path) {
  if (!value.is_array()) throw JobSpecError(path, "must be a list of well names like [\"B3\"]");
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) throw JobSpecError(path + "[" + std::to_string(i) + "]", "must be a well name");
  }
}

}  // namespace

void check_simulation(const json& simulation) {
  refuse_unknown_keys(simulation, "simulation", drivers::simulation_keys());
  check_truth(simulation, "simulation");
  if (simulation.contains("compounds")) {
    const auto& compounds = simulation.at("compounds");
    if (!compounds.is_object()) {
      throw JobSpecError("simulation.compounds", "must be an object of compounds, e.g. {\"plerixafor\": {\"true_ic50_nM\": 40}}");
    }
    for (const auto& [name, truth] : compounds.items()) {
      const auto path = "simulation.compounds." + name;
      if (!truth.is_object()) throw JobSpecError(path, "must be an object like {\"true_ic50_nM\": 40}");
      refuse_unknown_keys(truth, path, drivers::simulation_compound_keys());
      check_truth(truth, path);
    }
  }
  for (const char* key : {"artefact_wells", "bright_wells"}) {
    if (simulation.contains(key)) check_well_list(simulation.at(key), std::string("simulation.") + key);
  }
  if (simulation.contains("dropped_reads")) {
    const auto& dropped = simulation.at("dropped_reads");
    if (!dropped.is_object()) throw JobSpecError("simulation.dropped_reads", "must be an object like {\"D5\": [3, 4]}");
    for (const auto& [well, cycles] : dropped.items()) {
      if (!cycles.is_array()) throw JobSpecError("simulation.dropped_reads." + well, "must be a list of cycle numbers");
      for (const auto& cycle : cycles) {
        if (!cycle.is_number_integer()) throw JobSpecError("simulation.dropped_reads." + well, "must be a list of cycle numbers");
      }
    }
  }
  if (simulation.contains("colonies_per_well")) {
    const auto& colonies = simulation.at("colonies_per_well");
    if (colonies.is_object()) {
      for (const auto& [well, n] : colonies.items()) {
        number_in(n, "simulation.colonies_per_well." + well, 0, 1e6, "a count of 0 or more");
      }
    } else {
      number_in(colonies, "simulation.colonies_per_well", 0, 1e6, "a count of 0 or more, or an object of counts by well");
    }
  }
  if (simulation.contains("plating_efficiency")) {
    number_in(simulation.at("plating_efficiency"), "simulation.plating_efficiency", 0, 1, "a fraction between 0 and 1");
  }
  if (simulation.contains("cells_per_field")) {
    number_in(simulation.at("cells_per_field"), "simulation.cells_per_field", 0, 1e5, "a number of cells between 0 and 100000");
  }
  if (simulation.contains("light_colonies") && !simulation.at("light_colonies").is_boolean()) {
    throw JobSpecError("simulation.light_colonies", "must be true or false");
  }
  if (simulation.contains("seed")) {
    const auto& seed = simulation.at("seed");
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<std::int64_t>() >= 0)) {
      throw JobSpecError("simulation.seed", "must be a whole number of 0 or more (the seed a run's provenance names)");
    }
  }
  if (simulation.contains("colony_kind")) {
    const auto& kind = simulation.at("colony_kind");
    if (!kind.is_string() || (kind != "haematopoietic" && kind != "plain")) {
      throw JobSpecError("simulation.colony_kind", "must be \"haematopoietic\" (CFU-GM, BFU-E, CFU-GEMM) or \"plain\"");
    }
  }
}

}  // namespace assay::protocols
