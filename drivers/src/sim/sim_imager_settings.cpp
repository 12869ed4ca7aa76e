// Parsing and checking the sim-imager settings from the instrument's config block.
#include <algorithm>
#include <map>

#include "assay/drivers/sim/sim_imager.hpp"

namespace assay::drivers::sim {

Result<SimImagerSettings> SimImagerSettings::from_json(const nlohmann::json& settings) {
  SimImagerSettings s;
  if (settings.is_null()) return s;
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, "sim-imager settings must be a table"};
  s.raw = settings;
  const std::map<std::string, double*> numbers{
      {"time_scale", &s.time_scale},
      {"pixel_size_um", &s.pixel_size_um},
      {"colony_pixel_size_um", &s.colony_pixel_size_um},
      {"readout_ms", &s.readout_ms},
      {"move_ms", &s.move_ms},
      {"focus_spread_um", &s.focus_spread_um},
      {"plating_efficiency", &s.plating_efficiency},
      {"default_cells_plated", &s.default_cells_plated},
      {"cells_per_field", &s.cells_per_field},
      {"chemotactic_index", &s.chemotactic_index},
      {"cell_diameter_um", &s.cell_diameter_um}};
  const char* truth_keys[] = {"true_ic50_nM", "true_hill_slope", "migration_ic50_nM", "migration_hill_slope"};
  for (const auto& [key, value] : settings.items()) {
    auto bad = [&, &name = key](const std::string& what) {
      return Status{StatusCode::invalid_argument, "sim-imager setting '" + name + "' " + what};
    };
    if (auto it = numbers.find(key); it != numbers.end()) {
      if (!value.is_number() || value.get<double>() < 0) return bad("must be a number >= 0");
      *it->second = value.get<double>();
    } else if (key == "frame_width_px" || key == "frame_height_px") {
      if (!value.is_number_integer() || value.get<int>() < 64 || value.get<int>() > 8192)
        return bad("must be an integer from 64 to 8192");
      (key == "frame_width_px" ? s.frame_width_px : s.frame_height_px) = value.get<int>();
    } else if (key == "seed") {
      // TOML integers arrive signed; any whole number >= 0 is a seed.
      if (!value.is_number_integer() || value.get<long long>() < 0) return bad("must be a non-negative integer");
      s.seed = value.get<std::uint64_t>();
    } else if (key == "fail_after_captures") {
      if (!value.is_number_integer()) return bad("must be an integer (-1 = never)");
      s.fail_after_captures = value.get<long>();
    } else if (key == "fail_mode") {
      if (!value.is_string() || (value != "device_error" && value != "disconnected"))
        return bad("must be \"device_error\" or \"disconnected\"");
      s.fail_mode = value.get<std::string>();
    } else if (key == "light_colonies") {
      if (!value.is_boolean()) return bad("must be true or false");
      s.light_colonies = value.get<bool>();
    } else if (std::find(std::begin(truth_keys), std::end(truth_keys), key) == std::end(truth_keys)) {
      return bad("is unknown; known settings: time_scale, pixel_size_um, colony_pixel_size_um, "
                 "frame_width_px, frame_height_px, seed, readout_ms, move_ms, fail_after_captures, "
                 "fail_mode, focus_spread_um, plating_efficiency, default_cells_plated, "
                 "light_colonies, cells_per_field, chemotactic_index, cell_diameter_um and the "
                 "pharmacology keys");
    }
  }
  if (s.pixel_size_um <= 0 || s.colony_pixel_size_um <= 0)
    return Status{StatusCode::invalid_argument, "sim-imager pixel sizes must be > 0"};
  if (s.chemotactic_index <= 0)
    return Status{StatusCode::invalid_argument, "sim-imager setting 'chemotactic_index' must be > 0"};
  s.truth_defaults = pharmacology_truth(settings, nlohmann::json::object());
  return s;
}

}  // namespace assay::drivers::sim
