// The keys a job's `simulation` object (LoadedPlate::simulation) may carry, as the simulators
// read them (sim/pharmacology.hpp, sim/sim_plate_reader.hpp, sim/sim_imager.hpp). A job naming
// any other key is refused at submit, so a misspelt truth is never silently ignored; a simulator
// that reads a new key adds it here.
#pragma once

#include <string>
#include <vector>

namespace assay::drivers {

// Keys at the top of `simulation`.
inline const std::vector<std::string>& simulation_keys() {
  static const std::vector<std::string> keys{
      "true_ic50_nM",      "true_hill_slope",    "migration_ic50_nM", "migration_hill_slope",
      "compounds",         "artefact_wells",     "bright_wells",      "dropped_reads",
      "colonies_per_well", "plating_efficiency", "cells_per_field",   "light_colonies",
      "colony_kind",       "seed"};
  return keys;
}

// Keys of one compound under simulation.compounds.<name>.
inline const std::vector<std::string>& simulation_compound_keys() {
  static const std::vector<std::string> keys{"true_ic50_nM", "true_hill_slope", "migration_ic50_nM",
                                             "migration_hill_slope"};
  return keys;
}

}  // namespace assay::drivers
