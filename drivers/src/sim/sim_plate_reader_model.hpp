// The signal model of the simulated plate reader, as pure functions of the settings, the truth
// and what a well holds (see sim/sim_plate_reader.hpp for the model). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>

#include "assay/drivers/sim/sim_plate_reader.hpp"

namespace assay::drivers::sim {

// What the simulator decided for one well of the loaded plate.
struct WellModel {
  const WellContents* contents = nullptr;
  bool has_cells = true;          // false for role "blank"
  double f0_rfu = 0.0;            // baseline fluorescence at t = 0
  double amplitude_df_f0 = 0.0;   // transient amplitude (dF/F0 at the peak, noiseless)
  double expected_fraction = 1.0; // remaining_response at the well's concentration
  bool artefact = false;          // large injection artefact
  std::set<int> dropped_cycles;
  double migrated_cells = 0.0;    // transwell readout
  double expected_od = 0.0;
};

// Deterministic per-well random stream: same seed, plate and well give the same numbers.
std::mt19937_64 well_rng(std::uint64_t seed, const std::string& barcode, std::size_t well_index,
                         std::uint64_t stream);

WellModel model_well(const SimPlateReaderSettings& settings, const PharmacologyTruth& truth,
                     const WellContents& contents, const nlohmann::json& simulation,
                     std::mt19937_64& rng);

// Transient shape, 0 before `tau_s` = 0 and 1 at its peak.
double transient_shape(double tau_s, double rise_s, double decay_s);

// Noiseless fluorescence of a well at `t_s` (read start = 0) given the injection time.
double kinetic_signal(const SimPlateReaderSettings& settings, const WellModel& well, double t_s,
                      std::optional<double> injection_s);

// Relative absorbance of crystal violet at `wavelength_nm` (1 at the peak).
double absorbance_band(const SimPlateReaderSettings& settings, int wavelength_nm);

// JSON truth of one well (role, compound, expected fraction/response, migrated cells, OD).
nlohmann::json well_truth(const SimPlateReaderSettings& settings, const WellModel& well);

}  // namespace assay::drivers::sim
