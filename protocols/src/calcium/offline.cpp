#include "assay/protocols/calcium/offline.hpp"

#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/calcium/results.hpp"
#include "assay/protocols/job_spec.hpp"

namespace assay::protocols::calcium {

OfflineInput offline_input(const nlohmann::json& document, const nlohmann::json& params,
                           const std::optional<std::string>& plate_format) {
  OfflineInput input;
  nlohmann::json layout;
  nlohmann::json document_params = nlohmann::json::object();
  std::string format = plate_format.value_or("");
  if (document.is_array()) {
    layout = document;
    if (format.empty()) {
      throw JobSpecError("plate.format", "a bare layout list needs the plate format (--plate 384)");
    }
  } else if (document.is_object()) {
    if (!document.contains("layout")) throw JobSpecError("layout", "is missing from the layout file");
    layout = document.at("layout");
    if (format.empty()) {
      if (!document.contains("plate") || !document.at("plate").is_object() ||
          !document.at("plate").contains("format")) {
        throw JobSpecError("plate.format", "is missing; give {\"plate\": {\"format\": \"384\"}} or --plate");
      }
      const auto& f = document.at("plate").at("format");
      format = f.is_number_integer() ? std::to_string(f.get<int>()) : f.is_string() ? f.get<std::string>() : "";
    }
    if (document.contains("params")) document_params = document.at("params");
  } else {
    throw JobSpecError("layout", "the layout file must hold a job, {plate, layout} or a layout list");
  }
  auto found = find_plate_format(format);
  if (!found) throw JobSpecError("plate.format", "'" + format + "' is not a plate format");
  input.plate = *found;
  input.layout = PlateLayout::from_json(layout, input.plate);
  input.params = parse_calcium_flux_params(params.is_null() ? document_params : params);
  validate_calcium_layout(input.layout, input.plate, input.params);
  return input;
}

AssayResult analyze_offline(std::span<const drivers::Reading> readings, const OfflineInput& input,
                            const std::optional<std::filesystem::path>& figures_dir) {
  auto analysis = analyze_calcium_flux(readings, input.layout, input.params);
  auto result = to_assay_result(analysis, input.params);
  if (figures_dir && input.params.analysis.figures) {
    std::filesystem::create_directories(*figures_dir);
    result.figures = write_calcium_figures(analysis, readings, input.layout, input.plate,
                                           input.params, *figures_dir);
  }
  return result;
}

}  // namespace assay::protocols::calcium
