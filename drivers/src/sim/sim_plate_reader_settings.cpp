// Parsing and checking the sim-plate-reader settings from the instrument's config block.
#include <algorithm>
#include <map>

#include "assay/drivers/sim/sim_plate_reader.hpp"

namespace assay::drivers::sim {

Result<SimPlateReaderSettings> SimPlateReaderSettings::from_json(const nlohmann::json& settings) {
  SimPlateReaderSettings s;
  if (settings.is_null()) return s;
  if (!settings.is_object()) {
    return Status{StatusCode::invalid_argument, "sim-plate-reader settings must be a table"};
  }
  s.raw = settings;
  // Non-negative numbers; the pharmacology keys are read by pharmacology_truth().
  const std::map<std::string, double*> numbers{
      {"time_scale", &s.time_scale},
      {"noise_percent", &s.noise_percent},
      {"baseline_rfu", &s.baseline_rfu},
      {"baseline_cv_percent", &s.baseline_cv_percent},
      {"blank_rfu", &s.blank_rfu},
      {"peak_df_f0", &s.peak_df_f0},
      {"amplitude_cv_percent", &s.amplitude_cv_percent},
      {"unstimulated_df_f0", &s.unstimulated_df_f0},
      {"response_delay_s", &s.response_delay_s},
      {"rise_time_s", &s.rise_time_s},
      {"decay_time_s", &s.decay_time_s},
      {"injection_artefact_percent", &s.injection_artefact_percent},
      {"artefact_well_dip_percent", &s.artefact_well_dip_percent},
      {"saturation_rfu", &s.saturation_rfu},
      {"per_well_read_s", &s.per_well_read_s},
      {"min_cycle_s", &s.min_cycle_s},
      {"fast_window_s", &s.fast_window_s},
      {"fast_interval_factor", &s.fast_interval_factor},
      {"dispense_rate_uL_per_s", &s.dispense_rate_uL_per_s},
      {"blank_od", &s.blank_od},
      {"od_per_cell", &s.od_per_cell},
      {"default_cells_plated", &s.default_cells_plated},
      {"migrated_fraction", &s.migrated_fraction},
      {"chemotactic_index", &s.chemotactic_index},
      {"od_noise_percent", &s.od_noise_percent},
      {"od_saturation", &s.od_saturation},
      {"absorbance_band_sd_nm", &s.absorbance_band_sd_nm},
      {"ambient_temperature_C", &s.ambient_temperature_C}};
  const std::map<std::string, double*> signed_numbers{
      {"drift_percent_per_min", &s.drift_percent_per_min}};
  const char* truth_keys[] = {"true_ic50_nM", "true_hill_slope", "migration_ic50_nM",
                              "migration_hill_slope"};

  for (const auto& [key, value] : settings.items()) {
    auto bad = [&, &name = key](const std::string& what) {
      return Status{StatusCode::invalid_argument,
                    "sim-plate-reader setting '" + name + "' " + what};
    };
    if (auto it = numbers.find(key); it != numbers.end()) {
      if (!value.is_number() || value.get<double>() < 0) return bad("must be a number >= 0");
      *it->second = value.get<double>();
    } else if (auto it2 = signed_numbers.find(key); it2 != signed_numbers.end()) {
      if (!value.is_number()) return bad("must be a number");
      *it2->second = value.get<double>();
    } else if (key == "seed") {
      if (!value.is_number_integer()) return bad("must be an integer");
      s.seed = static_cast<std::uint64_t>(value.get<std::int64_t>());
    } else if (key == "fail_after_readings") {
      if (!value.is_number_integer()) return bad("must be an integer (-1 = never fail)");
      s.fail_after_readings = value.get<long>();
    } else if (key == "injector") {
      if (!value.is_boolean()) return bad("must be true or false");
      s.injector = value.get<bool>();
    } else if (key == "absorbance_peak_nm") {
      if (!value.is_number_integer()) return bad("must be an integer wavelength in nm");
      s.absorbance_peak_nm = value.get<int>();
    } else if (key == "fail_mode") {
      if (!value.is_string() ||
          (value.get<std::string>() != "device_error" && value.get<std::string>() != "disconnected" &&
           value.get<std::string>() != "hang")) {
        return bad("must be \"device_error\", \"disconnected\" or \"hang\"");
      }
      s.fail_mode = value.get<std::string>();
    } else if (std::find(std::begin(truth_keys), std::end(truth_keys), key) != std::end(truth_keys)) {
      if (!value.is_number()) return bad("must be a number");
      if (key.find("ic50") != std::string::npos && value.get<double>() <= 0) {
        return bad("must be > 0 nM");
      }
      if (key.find("hill") != std::string::npos && value.get<double>() == 0) {
        return bad("must not be 0");
      }
    } else {
      return bad("is not a setting of this driver; known: time_scale, noise_percent, seed, "
                 "true_ic50_nM, true_hill_slope, migration_ic50_nM, migration_hill_slope, "
                 "fail_after_readings, fail_mode, injector, saturation_rfu, drift_percent_per_min, ... "
                 "(see docs/calcium_flux.md)");
    }
  }
  if (s.rise_time_s <= 0 || s.decay_time_s <= 0) {
    return Status{StatusCode::invalid_argument,
                  "sim-plate-reader settings rise_time_s and decay_time_s must be > 0"};
  }
  if (s.fast_interval_factor <= 0 || s.fast_interval_factor > 1) {
    return Status{StatusCode::invalid_argument,
                  "sim-plate-reader setting fast_interval_factor must be in (0, 1]"};
  }
  if (s.chemotactic_index < 1) {
    return Status{StatusCode::invalid_argument,
                  "sim-plate-reader setting chemotactic_index must be >= 1"};
  }
  s.truth_defaults = pharmacology_truth(settings, nlohmann::json::object());
  return s;
}

}  // namespace assay::drivers::sim
