#include "sim_plate_reader_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace assay::drivers::sim {
namespace {

bool listed(const nlohmann::json& simulation, const char* key, const std::string& well) {
  if (!simulation.is_object() || !simulation.contains(key)) return false;
  const auto& list = simulation.at(key);
  if (!list.is_array()) return false;
  return std::any_of(list.begin(), list.end(), [&](const nlohmann::json& item) {
    return item.is_string() && item.get<std::string>() == well;
  });
}

}  // namespace

std::mt19937_64 well_rng(std::uint64_t seed, const std::string& barcode, std::size_t well_index,
                         std::uint64_t stream) {
  std::uint64_t plate_hash = std::hash<std::string>{}(barcode);
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(plate_hash),
                    static_cast<std::uint32_t>(plate_hash >> 32),
                    static_cast<std::uint32_t>(well_index), static_cast<std::uint32_t>(stream)};
  return std::mt19937_64(seq);
}

WellModel model_well(const SimPlateReaderSettings& s, const PharmacologyTruth& truth,
                     const WellContents& contents, const nlohmann::json& simulation,
                     std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  WellModel well;
  well.contents = &contents;
  well.has_cells = contents.role != "blank";
  double loading = std::max(0.3, 1.0 + s.baseline_cv_percent / 100.0 * normal(rng));
  double amplitude_noise = std::max(0.0, 1.0 + s.amplitude_cv_percent / 100.0 * normal(rng));
  if (!well.has_cells) {
    well.f0_rfu = s.blank_rfu;
    well.expected_fraction = 0.0;
  } else {
    well.f0_rfu = s.baseline_rfu * loading;
    if (listed(simulation, "bright_wells", contents.well)) well.f0_rfu *= 5.0;
    const auto& compound = truth.calcium_for(contents.compound);
    well.expected_fraction = contents.stimulated ? remaining_response(contents.conc_nM, compound)
                                                 : 0.0;
    well.amplitude_df_f0 =
        (contents.stimulated ? s.peak_df_f0 * well.expected_fraction : s.unstimulated_df_f0) *
        amplitude_noise;
  }
  well.artefact = listed(simulation, "artefact_wells", contents.well);
  if (simulation.is_object() && simulation.contains("dropped_reads") &&
      simulation.at("dropped_reads").is_object() &&
      simulation.at("dropped_reads").contains(contents.well)) {
    for (const auto& cycle : simulation.at("dropped_reads").at(contents.well)) {
      if (cycle.is_number_integer()) well.dropped_cycles.insert(cycle.get<int>());
    }
  }

  double cells = contents.cells_plated > 0 ? contents.cells_plated : s.default_cells_plated;
  if (well.has_cells) {
    double stimulated = cells * s.migrated_fraction;
    double basal = stimulated / s.chemotactic_index;
    const auto& compound = truth.migration_for(contents.compound);
    // The antagonist blocks the chemokine-driven part; basal random migration remains.
    well.migrated_cells =
        contents.stimulated
            ? basal + (stimulated - basal) * remaining_response(contents.conc_nM, compound)
            : basal;
  }
  well.expected_od = s.blank_od + s.od_per_cell * well.migrated_cells;
  return well;
}

double transient_shape(double tau_s, double rise_s, double decay_s) {
  if (tau_s <= 0.0) return 0.0;
  double peak_tau = rise_s * std::log(1.0 + decay_s / rise_s);
  auto raw = [&](double t) { return (1.0 - std::exp(-t / rise_s)) * std::exp(-t / decay_s); };
  return raw(tau_s) / raw(peak_tau);
}

double kinetic_signal(const SimPlateReaderSettings& s, const WellModel& well, double t_s,
                      std::optional<double> injection_s) {
  double drift = 1.0 + s.drift_percent_per_min / 100.0 * (t_s / 60.0);
  double f = well.f0_rfu * drift;
  if (!injection_s || t_s < *injection_s) return f;
  double since = t_s - *injection_s;
  double response = well.amplitude_df_f0 *
                    transient_shape(since - s.response_delay_s, s.rise_time_s, s.decay_time_s);
  // Dispensing dilutes and stirs the dye for about a second.
  double dip_percent = well.artefact ? s.artefact_well_dip_percent : s.injection_artefact_percent;
  double dip = dip_percent / 100.0 * std::exp(-since / (well.artefact ? 1.2 : 0.6));
  return f * (1.0 + response - dip);
}

double absorbance_band(const SimPlateReaderSettings& s, int wavelength_nm) {
  double d = (wavelength_nm - s.absorbance_peak_nm) / s.absorbance_band_sd_nm;
  return std::exp(-0.5 * d * d);
}

nlohmann::json well_truth(const SimPlateReaderSettings& s, const WellModel& well) {
  const auto& c = *well.contents;
  nlohmann::json out{{"role", c.role},
                     {"compound", c.compound},
                     {"conc_nM", c.conc_nM},
                     {"stimulated", c.stimulated},
                     {"f0_rfu", well.f0_rfu},
                     {"amplitude_df_f0", well.amplitude_df_f0},
                     {"expected_fraction", well.expected_fraction},
                     {"expected_percent_response", 100.0 * well.expected_fraction},
                     {"migrated_cells", well.migrated_cells},
                     {"expected_od", well.expected_od}};
  if (well.artefact) out["artefact"] = true;
  if (!well.dropped_cycles.empty()) out["dropped_cycles"] = well.dropped_cycles;
  if (well.f0_rfu * (1.0 + well.amplitude_df_f0) >= s.saturation_rfu) out["saturates"] = true;
  return out;
}

}  // namespace assay::drivers::sim
